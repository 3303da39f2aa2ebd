"""Recognise the columns of a registration export (German and English headers) and ``--map``.

Headers are compared loosely (see :func:`~orchestrator.registrants.parse_text.fold`): "E-Mail",
"Email" and "e-mail-Adresse" all mean ``email``. Bilingual headers ("Sprache / Language") are tried
part by part. Columns nobody asked for are kept in :attr:`HeaderMap.unmapped` so the report can
name them: a column is never dropped silently.

Names: either ``first_name`` + ``last_name`` columns or one ``name`` column ("Name", "Full name").
A single name is split in :mod:`orchestrator.registrants.records` ("Last, First" at the comma,
else at the first space, which keeps "Van der Berg" together).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.registrants.parse_text import fold

WISH_FIELDS = ("wish_1", "wish_2", "wish_3")
FIELDS = (
    "email",
    "first_name",
    "last_name",
    "name",
    "organisation",
    "job_title",
    *WISH_FIELDS,
    "wishes_ranked",
    "consent",
    "external_ref",
    "registered_at",
    "language",
    "notes",
    "approval_status",
)
IGNORE = "ignore"

_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailadresse", "emailaddress", "mail", "mailadresse", "epost", "emailadress"),
    "first_name": ("vorname", "firstname", "givenname", "forename", "rufname"),
    "last_name": ("nachname", "lastname", "surname", "familienname", "familyname"),
    "name": ("name", "fullname", "vollername", "vollstaendigername", "teilnehmername", "namevorname"),
    "organisation": (
        "organisation", "organization", "company", "firma", "institution", "einrichtung", "traeger",
        "arbeitgeber", "employer", "verein", "organisationinstitution", "companyname",
    ),
    "job_title": ("funktion", "jobtitle", "position", "rolle", "role", "beruf", "taetigkeit", "job"),
    "consent": (
        "datenschutzakzeptiert", "datenschutz", "einwilligung", "datenschutzeinwilligung",
        "einwilligungdatenschutz", "zustimmungdatenschutz", "datenschutzerklaerungakzeptiert", "dsgvo",
        "privacyconsent", "consent", "privacy", "gdprconsent", "privacypolicyaccepted",
        "acceptedprivacypolicy", "privacyaccepted",
    ),
    "external_ref": (
        "anmeldungnr", "anmeldenr", "anmeldenummer", "anmeldungsnummer", "anmeldungid", "anmeldeid",
        "order", "ordernr", "ordernumber", "orderno", "orderid", "bestellnr", "bestellnummer",
        "registrationid", "registrationnumber", "registrationno", "ticketnr", "ticketnumber", "ticketid",
    ),
    "registered_at": (
        "angemeldetam", "anmeldedatum", "anmeldezeitpunkt", "registrationdate", "registeredat",
        "registeredon", "orderdate", "createdat", "bestelldatum", "zeitstempel", "timestamp",
    ),
    "language": ("sprache", "language", "lang", "korrespondenzsprache", "preferredlanguage"),
    "notes": (
        "bemerkungen", "bemerkung", "anmerkungen", "anmerkung", "notes", "note", "kommentar",
        "kommentare", "comments", "comment", "hinweise", "hinweis", "nachricht", "message", "remarks",
        "questionscomments", "questionsandcomments", "fragenkommentare", "fragenundkommentare",
    ),
    # Zoom's registration report ("Approval Status"; the German portal's header is assumed).
    "approval_status": ("approvalstatus", "genehmigungsstatus", "freigabestatus", "zulassungsstatus"),
    # One cell with all choices in order: a form tool's ranking question ("A;B;C;").
    "wishes_ranked": (
        "wishesranked", "rankedwishes", "ranking", "rangfolge", "reihenfolge", "workshopranking",
        "workshoprangfolge", "workshopreihenfolge", "workshopwuensche", "workshopwuensch", "wuensche",
        "workshoppraeferenzen", "praeferenzen", "preferences", "workshoppreferences", "rankedchoices",
        "workshops", "breakouts", "sessions", "workshopprioritaeten", "prioritaeten", "priorities",
    ),
}  # fmt: skip
_BY_ALIAS = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}

_WISH_STEMS = {
    "workshopwunsch", "wunsch", "workshop", "workshopwahl", "wahl", "workshoppraeferenz", "praeferenz",
    "breakoutpreference", "breakout", "preference", "workshoppreference", "choice", "workshopchoice",
    "breakoutchoice", "breakoutwunsch", "breakoutroom", "breakoutsession", "session", "prioritaet",
    "priority", "sessionpreference", "workshopprioritaet",
}  # fmt: skip
# A ranking question is usually a sentence ("Bitte bringen Sie die Workshops in die Reihenfolge
# Ihrer Präferenz", "Rank the workshops by preference"): a ranking word plus a workshop word.
_RANKING_WORDS = ("rank", "rangfolge", "reihenfolge", "priorisier", "prioritaeten", "ordnen", "sortier")
_RANKING_TOPICS = ("workshop", "breakout", "session", "wuensche", "praeferenz", "preference")

_ORDINALS = {
    "1": 1, "first": 1, "erste": 1, "erster": 1, "erstes": 1, "erstwunsch": 1,
    "2": 2, "second": 2, "zweite": 2, "zweiter": 2, "zweites": 2, "zweitwunsch": 2,
    "3": 3, "third": 3, "dritte": 3, "dritter": 3, "drittes": 3, "drittwunsch": 3,
}  # fmt: skip
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_WISH_SUFFIX = re.compile(rf"^(?P<stem>[a-z]+?)(?P<rank>{_ORDINAL})(?:st|nd|rd|th|te|ter|tes)?$")
_WISH_PREFIX = re.compile(rf"^(?P<rank>{_ORDINAL})(?:st|nd|rd|th|te|ter|tes)?(?P<stem>[a-z]*)$")


class MissingColumns(BadInput):
    """A required column is missing; ``missing`` are field names, ``seen`` the file's headers."""

    def __init__(self, missing: Sequence[str], seen: Sequence[str]) -> None:
        self.missing = list(missing)
        self.seen = list(seen)
        super().__init__(
            _(
                "Required columns not found: {missing}. Columns in the file: {seen}. "
                'Name the right column with --map "Column=field", for example --map "Mail=email".',
                missing=", ".join(f"{field_label(f)} ({f})" for f in self.missing),
                seen=named_columns(self.seen) or "-",
            )
        )


SHOWN_COLUMNS = 10  # an error names at most this many of the file's columns (each shortened)


def named_columns(headers: Sequence[str], limit: int = SHOWN_COLUMNS) -> str:
    """The first ``limit`` headers, quoted and shortened, then "and N more" (messages stay short)."""
    shown = [f"'{h[:40]}'" + ("…" if len(h) > 40 else "") for h in headers[:limit]]
    if len(headers) > limit:
        shown.append(_("and {count} more columns", count=f"{len(headers) - limit:,}"))
    return ", ".join(shown)


class AmbiguousColumns(BadInput):
    """Two different columns would both fill one field."""


class BadMapOption(BadInput):
    """A ``--map`` value is malformed or names an unknown column or field."""


class ColumnMapping(NamedTuple):
    """One ``--map "Header=field"`` option."""

    header: str
    field: str


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Which column (0-based index) holds which field; ``unmapped`` names the columns not used."""

    headers: list[str]
    columns: dict[str, int]
    unmapped: list[str] = field(default_factory=list)

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> int:
        return self.columns[name]

    def header(self, name: str) -> str:
        """The header text of the column holding ``name`` (as the organiser wrote it)."""
        return self.headers[self.columns[name]]


def field_label(name: str) -> str:
    """A human name for a field in the current language."""
    labels = {
        "email": _("E-mail"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "name": _("Name"),
        "organisation": _("Organisation"),
        "job_title": _("Job title"),
        "wish_1": _("Workshop wish 1"),
        "wish_2": _("Workshop wish 2"),
        "wish_3": _("Workshop wish 3"),
        "wishes_ranked": _("Workshop ranking"),
        "approval_status": _("Approval status"),
        "consent": _("Privacy consent"),
        "external_ref": _("Registration number"),
        "registered_at": _("Registered at"),
        "language": _("Language"),
        "notes": _("Notes"),
    }
    return labels.get(name, name)


def recognise(header: str) -> str | None:
    """The field a header stands for, or ``None``. Bilingual headers ("Vorname / First name") work."""
    found = _recognise_one(header)
    if found is None and re.search(r"[/|]", header):
        parts = {p for p in (_recognise_one(part) for part in re.split(r"[/|]", header)) if p}
        found = parts.pop() if len(parts) == 1 else None
    return found


def _recognise_one(header: str) -> str | None:
    key = fold(header)
    if not key:
        return None
    if key in _BY_ALIAS:
        return _BY_ALIAS[key]
    for pattern in (_WISH_SUFFIX, _WISH_PREFIX):
        match = pattern.match(key)
        if not match:
            continue
        rank, stem = match["rank"], match["stem"]
        if stem in _WISH_STEMS or (not stem and rank.endswith("wunsch")):
            return WISH_FIELDS[_ORDINALS[rank] - 1]
    if any(w in key for w in _RANKING_WORDS) and any(t in key for t in _RANKING_TOPICS):
        return "wishes_ranked"
    return None


def parse_field_name(text: str) -> str:
    """Resolve the right-hand side of ``--map``: a field name ("wish_1") or any known header ("Vorname")."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key in FIELDS or key == IGNORE:
        return key
    if key in {"skip", "-", "none"}:
        return IGNORE
    compact = key.replace("_", "")
    for name in FIELDS:
        if name.replace("_", "") == compact:
            return name
    recognised = recognise(text)
    if recognised:
        return recognised
    raise BadMapOption(
        _(
            "Unknown field '{field}' in --map. Known fields: {fields}.",
            field=text,
            fields=", ".join((*FIELDS, IGNORE)),
        )
    )


def parse_map_option(option: str) -> ColumnMapping:
    """Parse ``--map "E-Mail Adresse=email"`` into ``ColumnMapping(header, field)``."""
    header, sep, target = option.rpartition("=")
    if not sep or not header.strip() or not target.strip():
        raise BadMapOption(
            _('--map expects "Column=field", for example --map "Mail=email"; got {value}.', value=option)
        )
    return ColumnMapping(header.strip(), parse_field_name(target))


def map_headers(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> HeaderMap:
    """Map each field to a column; ``overrides`` (header → field) win over recognition.

    Raises :class:`MissingColumns` (listing the headers seen) when e-mail or the names are missing,
    :class:`AmbiguousColumns` when two different columns claim one field, and
    :class:`BadMapOption` when an override names a column that is not in the file.
    """
    headers = list(headers)
    forced: dict[int, str] = {}
    for header, target in (overrides or {}).items():
        index = _find_column(headers, header)
        target_field = parse_field_name(target)
        if target_field in forced.values() and target_field != IGNORE:
            raise BadMapOption(_("--map assigns the field '{field}' twice.", field=target_field))
        forced[index] = target_field

    columns: dict[str, int] = {i_field: i for i, i_field in forced.items() if i_field != IGNORE}
    claims: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if index in forced:
            continue
        recognised = recognise(header)
        if recognised and recognised not in columns:
            claims.setdefault(recognised, []).append(index)
    for name, indexes in claims.items():
        distinct = {headers[i] for i in indexes}
        if len(distinct) > 1:
            raise AmbiguousColumns(
                _(
                    "Several columns could be the field '{field}': {columns}. Choose one with "
                    '--map, for example --map "{example}=ignore".',
                    field=name,
                    columns=", ".join(f"'{headers[i]}'" for i in indexes),
                    example=headers[indexes[-1]],
                )
            )
        columns[name] = indexes[0]  # identical duplicate headers: the first one counts

    if "first_name" in columns and "last_name" in columns:
        columns.pop("name", None)  # separate name columns are more precise than a full name
    missing = [] if "email" in columns else ["email"]
    if "name" not in columns:
        missing += [n for n in ("first_name", "last_name") if n not in columns]
    if missing:
        raise MissingColumns(missing, headers)
    used = set(columns.values())
    unmapped = [h for i, h in enumerate(headers) if i not in used and h]
    return HeaderMap(headers, dict(sorted(columns.items(), key=lambda kv: kv[1])), unmapped)


def _find_column(headers: Sequence[str], wanted: str) -> int:
    for index, header in enumerate(headers):
        if header == wanted:
            return index
    key = fold(wanted)
    for index, header in enumerate(headers):
        if key and fold(header) == key:
            return index
    raise BadMapOption(
        _(
            "--map names the column '{column}', which is not in the file. Columns in the file: {seen}.",
            column=wanted,
            seen=", ".join(f"'{h}'" for h in headers),
        )
    )
