"""Typed errors of the Zoom client, built from Zoom's error bodies ``{"code": int, "message": str}``.

Every error carries the HTTP ``status``, Zoom's ``code``, the request ``method`` and ``path`` (no
query string) so callers can decide what to do without parsing text. Messages are organiser-facing
and never contain tokens, secrets or join URLs: Zoom's own message is passed through
:func:`orchestrator.logsafety.redact` before it is quoted.
"""

from __future__ import annotations

from orchestrator.errors import OperationFailed
from orchestrator.i18n import _
from orchestrator.logsafety import redact

# Zoom's code for an invalid or expired access token (answer to a request with a stale token).
INVALID_ACCESS_TOKEN = 124
# Zoom's code for invalid parameters; on a listing with ``next_page_token`` it means the page token
# expired ("The next page token is invalid or expired.", HTTP 400).
INVALID_PARAMETER = 300
# Zoom's code for "Meeting does not exist".
MEETING_NOT_FOUND = 3001


class ZoomError(OperationFailed):
    """A Zoom API call failed. Base of all Zoom client errors."""

    def __init__(
        self,
        status: int | None,
        code: int | None,
        message: str,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.zoom_message = redact(message)
        self.retry_after = retry_after
        self.method = method
        self.path = path
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.method} {self.path}" if self.method and self.path else _("the Zoom API")
        if self.status is None:
            detail = self.zoom_message
        elif self.code is None:
            detail = _(
                "Zoom answered HTTP {status}: {message}", status=self.status, message=self.zoom_message
            )
        else:
            detail = _(
                "Zoom answered HTTP {status} (code {code}): {message}",
                status=self.status,
                code=self.code,
                message=self.zoom_message,
            )
        return _("Zoom call {where} failed. {detail}", where=where, detail=detail)


class RateLimited(ZoomError):
    """HTTP 429. ``daily`` means a daily quota is used up; retrying today is pointless."""

    def __init__(
        self,
        status: int | None,
        code: int | None,
        message: str,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
        *,
        daily: bool = False,
    ) -> None:
        self.daily = daily
        super().__init__(status, code, message, retry_after, method, path)

    def _describe(self) -> str:
        base = super()._describe()
        if self.daily:
            return (
                base
                + " "
                + _("A daily Zoom limit is used up; Zoom accepts these requests again after midnight UTC.")
            )
        return base + " " + _("Zoom's rate limit was still exceeded after waiting; try again later.")


class NotFound(ZoomError):
    """HTTP 404, e.g. code 3001 (meeting does not exist) or 1001 (user does not exist)."""


class Conflict(ZoomError):
    """HTTP 409: the change conflicts with the current state in Zoom."""


class ValidationFailed(ZoomError):
    """HTTP 400/422 (Zoom codes 300 and the 3000 range): Zoom refused the request's content."""


class AuthError(ZoomError):
    """Credentials or permissions are wrong (token request refused, 401 after re-fetch, 403)."""

    def __init__(
        self,
        status: int | None,
        code: int | None,
        message: str,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        self.hint = hint
        super().__init__(status, code, message, retry_after, method, path)

    def _describe(self) -> str:
        base = super()._describe()
        return f"{base} {self.hint}" if self.hint else base


class ZoomUnavailable(ZoomError):
    """Zoom could not be reached or answered 5xx (after the retries the call allowed).

    ``ambiguous`` is true when the request may have reached Zoom and changed something (the
    answer was lost); the caller must reconcile before repeating a non-idempotent call.
    """

    def __init__(
        self,
        status: int | None,
        code: int | None,
        message: str,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
        *,
        ambiguous: bool = False,
    ) -> None:
        self.ambiguous = ambiguous
        super().__init__(status, code, message, retry_after, method, path)


class ZoomTimeout(ZoomUnavailable):
    """Zoom did not answer within the timeout."""


class PaginationLimitExceeded(ZoomError):
    """A listing had more pages than the safety cap allows; results would be incomplete."""
