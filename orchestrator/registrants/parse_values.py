"""Parse single imported values: e-mail, consent, timestamps, language, a full name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from email_validator import EmailNotValidError, validate_email

from orchestrator.registrants.parse_text import fold

_TRUE = {"ja", "j", "yes", "y", "true", "wahr", "1", "x", "✓", "✔", "☑", "ok", "akzeptiert", "accepted"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0", "", "-"}
_LANGUAGES = {
    "de": "de", "deu": "de", "ger": "de", "deutsch": "de", "german": "de", "dede": "de", "deat": "de",
    "dech": "de", "en": "en", "eng": "en", "englisch": "en", "english": "en", "engb": "en", "enus": "en",
}  # fmt: skip
_FORMULA_STARTS = ("=", "@")  # "@" cannot start an address anyway; refused with the same reason
_GERMAN_DATETIME = re.compile(
    r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})(?:,?\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)


class ValueProblem(ValueError):
    """A value cannot be used; ``code`` says why (machine-readable), ``detail`` adds specifics."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Email:
    """``identity`` (ASCII, lower-case) is the key for duplicates and Zoom; ``display`` as written."""

    identity: str
    display: str


def parse_email(raw: str) -> Email:
    """Validate syntax only (no DNS). Non-ASCII before the @ is refused: Zoom and most mail servers
    do not accept SMTPUTF8 addresses; international domain names are fine (sent as punycode).

    An address starting with ``=`` is refused although RFC 5322 allows it: spreadsheet programs run
    it as a formula (``=1+2@example.org``), and no real address needs it. ``+`` and ``-`` may start a
    real local part; they are accepted and neutralised in every CSV we write
    (:func:`orchestrator.csv_cells.csv_cell`)."""
    text = raw.strip()
    if not text:
        raise ValueProblem("missing_email")
    if text[0] in _FORMULA_STARTS:
        raise ValueProblem("invalid_email", "formula_prefix")
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        if not text.split("@")[0].isascii():
            raise ValueProblem("invalid_email", "non_ascii_local_part") from exc
        raise ValueProblem("invalid_email", str(exc)) from exc
    return Email(identity=(result.ascii_email or result.normalized).lower(), display=result.normalized)


def parse_consent(raw: str) -> bool:
    """``ja/yes/true/1/x/✓`` → True; ``nein/no/false/0/""`` → False; anything else is a problem."""
    text = raw.strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem("bad_consent")


def parse_language(raw: str) -> str | None:
    """``de``/``en`` from "Deutsch", "English", "de-DE", …; empty → ``None``."""
    key = fold(raw)
    if not key:
        return None
    if key in _LANGUAGES:
        return _LANGUAGES[key]
    raise ValueProblem("bad_language")


def parse_timestamp(raw: str, tz: tzinfo) -> datetime | None:
    """German "dd.mm.yyyy[ HH:MM[:SS]]" or ISO 8601; naive times are in ``tz``; result in UTC."""
    text = raw.strip()
    if not text:
        return None
    match = _GERMAN_DATETIME.match(text)
    try:
        if match:
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
            parsed = datetime(
                year,
                int(match["m"]),
                int(match["d"]),
                int(match["H"] or 0),
                int(match["M"] or 0),
                int(match["S"] or 0),
            )
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueProblem("bad_timestamp") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def split_full_name(raw: str) -> tuple[str, str]:
    """Split one "Name" cell: "Last, First" at the comma, else at the first space.

    Splitting at the first space keeps surname particles together ("Dieter Van der Berg" →
    "Dieter" / "Van der Berg"); unhyphenated double first names are the price ("Anna Maria Weiß"
    → "Anna" / "Maria Weiß"), which is why separate columns are preferred when the export has them.
    """
    text = raw.strip()
    if "," in text:
        last, _sep, first = text.partition(",")
        return first.strip(), last.strip()
    first, _sep, last = text.partition(" ")
    return first.strip(), last.strip()
