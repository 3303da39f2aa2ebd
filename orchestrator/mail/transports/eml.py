"""Write each message as ``<message-id>.eml`` into a directory (the demo's default transport).

Files are written atomically (temporary file + rename), and the name comes from the Message-ID,
so sending the same outbox row twice replaces the file instead of adding a second one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from orchestrator.i18n import translate
from orchestrator.mail.prepared import OutgoingMail, as_prepared
from orchestrator.mail.transports.base import Handover, PermanentFailure, SendResult, TemporaryFailure

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def eml_filename(message_id: str) -> str:
    """A file name for ``message_id`` that is stable, safe on every OS and unique per id."""
    core = message_id.strip().removeprefix("<").removesuffix(">")
    safe = _UNSAFE.sub("_", core).strip(".")[:150]
    if safe != core or not safe:
        # Sanitising lost information: add a hash so two different ids never share a file.
        safe = f"{safe}-{hashlib.sha256(core.encode('utf-8')).hexdigest()[:12]}"
    return f"{safe}.eml"


class EmlDirectoryTransport:
    """Transport that stores messages as .eml files instead of sending them."""

    def __init__(self, directory: Path, *, fsync: bool = True) -> None:
        self.directory = directory
        # Without fsync a crash of the machine (not of the process) can lose a file the outbox
        # counts as written: acceptable for the demo's throwaway mails, not for a mail drop.
        self.fsync = fsync

    def __repr__(self) -> str:
        return f"EmlDirectoryTransport({str(self.directory)!r})"

    def open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PermanentFailure(
                None,
                translate(
                    "Cannot create the mail directory {path}: {why}",
                    path=str(self.directory),
                    why=exc.strerror or "",
                ),
            ) from None

    def send(self, msg: OutgoingMail, handover: Handover | None = None) -> SendResult:
        """Write ``msg`` (its bytes as they would go into SMTP DATA) to ``<message-id>.eml``.

        The rename into place is the delivering step (inside ``handover``).
        """
        prepared = as_prepared(msg)
        message_id, recipients, data = prepared.message_id, prepared.recipients, prepared.data
        if not message_id:
            raise PermanentFailure(None, translate("The message has no Message-ID."))
        target = self.directory / eml_filename(message_id)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    if self.fsync:
                        fh.flush()
                        os.fsync(fh.fileno())
                with handover or contextlib.nullcontext():
                    os.replace(tmp_name, target)
                    result = SendResult(
                        message_id=message_id, recipients=recipients, response=f"written {target.name}"
                    )
                    if handover is not None:
                        handover.delivered(result)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise TemporaryFailure(
                None,
                translate(
                    "Cannot write {path}: {why}", path=str(target), why=exc.strerror or type(exc).__name__
                ),
            ) from None
        return result

    def close(self) -> None:
        return None
