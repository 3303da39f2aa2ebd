"""The logging filter removes join URLs, tokens and registered secrets."""

from __future__ import annotations

import logging

import pytest

from orchestrator.logsafety import RedactingFilter, redact, register_secret


def test_redacts_join_urls_tokens_and_secrets() -> None:
    register_secret("s3cr3t-client-secret")
    text = (
        "join https://zoom.us/w/81234567890?tk=abcDEF.123 and https://us02web.zoom.us/j/812?pwd=xyz "
        "Authorization: Bearer eyJhbGciOi.x.y secret=s3cr3t-client-secret"
    )
    cleaned = redact(text)
    for leaked in ("abcDEF.123", "81234567890", "pwd=xyz", "eyJhbGciOi", "s3cr3t-client-secret"):
        assert leaked not in cleaned
    assert cleaned.count("[redacted]") >= 4


def test_filter_cleans_message_args_extras_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("orchestrator.test.logsafety")
    handler_filter = RedactingFilter()
    record = logger.makeRecord(
        logger.name,
        logging.ERROR,
        __file__,
        1,
        "link %s",
        ("https://zoom.us/w/1?tk=SECRETTOKEN",),
        None,
        extra={"url": "https://zoom.us/w/1?tk=OTHERTOKEN"},
    )
    try:
        raise RuntimeError("failed for https://zoom.us/w/99?tk=TRACETOKEN")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert handler_filter.filter(record)
    assert "SECRETTOKEN" not in record.getMessage()
    assert "OTHERTOKEN" not in record.url  # type: ignore[attr-defined]
    assert record.exc_text is not None and "TRACETOKEN" not in record.exc_text
