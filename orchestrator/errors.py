"""Error types every layer raises, mapped to the CLI's exit codes.

``BadInput`` (exit 2) means the organiser gave us something we cannot use (a broken agenda, an
unknown e-mail, a CSV without an e-mail column). ``OperationFailed`` (exit 1) means the input was
fine but the operation did not succeed (Zoom unavailable, SMTP refused). Messages are written for
organisers: say what, where and why, and never include secrets or join URLs.
"""

from __future__ import annotations


class OrchestratorError(Exception):
    """Base for errors with a user-facing message."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[str] = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class BadInput(OrchestratorError):
    """The input (file, option, argument) is unusable; nothing was changed. Exit code 2."""

    exit_code = 2


class OperationFailed(OrchestratorError):
    """The operation failed (remote service, I/O); the store is consistent. Exit code 1."""

    exit_code = 1
