"""Logging setup with a last line of defence against leaking credentials.

Code must not log secrets or personal join URLs in the first place; this filter additionally
redacts anything that looks like one (Zoom join links with tokens, bearer tokens, and every
secret value registered at start-up) from every record that reaches our handlers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from typing import Any, TextIO

_JOIN_URL = re.compile(r"https?://[^\s\"'<>]*/(?:w|j|s)/\d+[^\s\"'<>]*", re.IGNORECASE)
_TOKEN_PARAM = re.compile(r"((?:tk|pwd|token|access_token)=)[^&\s\"'<>]+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_REDACTED = "[redacted]"

_secrets: set[str] = set()
_secrets_lock = threading.Lock()

# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def register_secret(value: str | None) -> None:
    """Make ``value`` (a client secret, SMTP password …) be redacted wherever it shows up."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Remove join URLs, token parameters, bearer tokens and registered secrets from ``text``."""
    text = _JOIN_URL.sub(_REDACTED, text)
    text = _TOKEN_PARAM.sub(r"\1" + _REDACTED, text)
    text = _BEARER.sub(r"\1" + _REDACTED, text)
    with _secrets_lock:
        secrets = list(_secrets)
    for secret in secrets:
        text = text.replace(secret, _REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites the formatted message and string extras of each record through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value if isinstance(value, (int, float, bool, type(None))) else str(value)
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of the record (it may be swapped, e.g. in tests)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: int = logging.WARNING, json_lines: bool = False) -> None:
    """Route the package's logs to stderr through the redacting filter."""
    handler = _StderrHandler()
    handler.addFilter(RedactingFilter())
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_orchestrator", False):
            root.removeHandler(existing)
    handler._orchestrator = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # An exception nobody caught in a thread (HTTP server, workers) is logged like any other error,
    # so it is redacted and, with --log-json, one JSON line instead of a plain-text traceback.
    threading.excepthook = _log_thread_exception


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("orchestrator.thread").error(
        "uncaught exception in thread",
        extra={"thread_name": name},
        exc_info=args.exc_value,
    )
