"""Turn raw rows into validated, normalised registrant records plus a report of every other row.

Every non-empty data row ends up in exactly one place: it is the kept row of a record, a row merged
into a later row of the same person (:class:`Merge`), or rejected (:class:`RejectedRow`, with row,
column and reason). Nothing is dropped silently.

Policies (documented here because the organiser sees their effects):
- Identity is the e-mail address, trimmed and lower-cased; for duplicates the *later* row's data
  wins as a whole (a re-registration is a complete, newer answer), and the merge is reported.
- Line breaks and control characters are refused in every field except notes: names, organisation,
  e-mail and the like reach mail headers and Zoom, where they enable header injection. Invisible
  format characters (bidi overrides such as U+202E, zero-width spaces) are refused there too: they
  make a name display as something else. The same checks apply to people Zoom registers
  (:mod:`orchestrator.registrants.person_fields`).
- An e-mail address starting with ``=`` is refused (a spreadsheet formula, never a real address).
- Names are stored exactly as written (only surrounding spaces removed): no case or Unicode
  normalisation, so Öztürk, Dąbrowski and Renée stay as they are.
- Empty wishes are allowed; remaining wishes move up in rank; repeated wishes collapse.
- A ranking cell (a form tool's ranking question, "A;B;C;") gives the wishes in its order; a choice
  naming no workshop or a repeated one is reported as a warning and the person is imported with
  the other choices (one outdated choice among five should not cost the registration).
- An approval status (Zoom's registration report): ``denied`` rows are not imported (reported as
  rejected, with that reason); ``pending`` ones are imported with ``approval_pending`` set, so the
  sync can leave them for the organiser to approve. An unrecognised status is imported as pending
  with a warning: the safe direction.
- An unreadable timestamp or language is not worth losing a registration: the row is imported
  without it and a :class:`RowWarning` says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from orchestrator.i18n import _
from orchestrator.registrants.headers import WISH_FIELDS, HeaderMap
from orchestrator.registrants.parse_approval import parse_approval
from orchestrator.registrants.parse_text import safe_preview
from orchestrator.registrants.parse_values import (
    ValueProblem,
    parse_consent,
    parse_email,
    parse_language,
    parse_timestamp,
    split_full_name,
)
from orchestrator.registrants.parse_wishes import WorkshopMatcher, split_ranking
from orchestrator.registrants.person_fields import single_line_problem
from orchestrator.registrants.reader import RawRow, RawTable, read_rows
from orchestrator.registrants.table_start import locate_table

DEFAULT_TIMEZONE = "Europe/Berlin"
_MULTILINE_FIELDS = frozenset({"notes", "wishes_ranked"})  # a ranking may list one choice a line


@dataclass(frozen=True, slots=True)
class RegistrantRecord:
    """One person to import. ``email`` is the identity (lower-case ASCII); ``email_display`` as written."""

    email: str
    email_display: str
    first_name: str
    last_name: str
    organisation: str | None
    job_title: str | None
    wishes: tuple[str, ...]
    consent: bool | None
    external_ref: str | None
    registered_at: datetime | None
    language: str | None
    notes: str | None
    source_row: int
    # The source lists the person as waiting for the organiser's approval (Zoom's "pending").
    approval_pending: bool = False


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A problem in one row. ``field`` is the field name (``None`` for the whole row), ``column``
    the header as the organiser wrote it, ``code`` a stable reason key, ``value_preview_safe`` the
    value with control characters escaped and shortened; ``hints`` are e.g. "did you mean" names."""

    row: int
    field: str | None
    column: str | None
    code: str
    value_preview_safe: str
    line: int | None = None
    hints: tuple[str, ...] = ()
    detail: str = ""

    @property
    def reason(self) -> str:
        """The reason in the current language."""
        return reason_text(self)

    @property
    def message(self) -> str:
        """Row, line (if it differs), column, reason and a safe preview, in the current language."""
        where = (
            _("Row {row} (line {line})", row=self.row, line=self.line)
            if self.line is not None and self.line != self.row
            else _("Row {row}", row=self.row)
        )
        if self.column is None:
            return _("{where}: {reason}", where=where, reason=self.reason)
        return _(
            "{where}, column '{column}': {reason} (value: {value})",
            where=where,
            column=self.column,
            reason=self.reason,
            value=self.value_preview_safe,
        )

    def __str__(self) -> str:
        return self.message


class RejectedRow(RowIssue):
    """A row that is not imported, and why."""

    __slots__ = ()


class RowWarning(RowIssue):
    """A row that is imported, but without one of its values."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Merge:
    """Rows sharing one e-mail address; ``kept_row`` (the last one) supplied the record's data."""

    email: str
    rows: list[int]
    kept_row: int

    @property
    def message(self) -> str:
        return _(
            "Rows {rows} have the same e-mail address {email}; they are one person and row {kept} "
            "(the last one) is used.",
            rows=", ".join(str(r) for r in self.rows),
            email=self.email,
            kept=self.kept_row,
        )


@dataclass(frozen=True, slots=True)
class ImportStats:
    """Counts for the report. ``rows_read`` counts non-empty data rows;
    ``rows_read == rows_rejected + people + merged_rows`` always holds."""

    rows_read: int
    empty_rows: int
    rows_accepted: int
    rows_rejected: int
    people: int
    merged_rows: int
    rejections_by_reason: dict[str, int]
    warnings: int


@dataclass(slots=True)
class ImportBatch:
    """The outcome of parsing one file; the DB side applies ``records``."""

    records: list[RegistrantRecord]
    rejected: list[RejectedRow]
    merges: list[Merge]
    warnings: list[RowWarning]
    stats: ImportStats
    encoding: str
    delimiter: str | None
    headers: list[str]
    header_map: HeaderMap
    source: Path
    unmapped_headers: list[str] = field(default_factory=list)
    header_row: int = 1  # > 1 when a preamble (a report's meeting block) stands above the table


def parse_registrations(
    path: Path,
    *,
    workshops: Sequence[str],
    overrides: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    timezone: tzinfo | None = None,
) -> ImportBatch:
    """Read, validate, normalise and merge the registrations in ``path``.

    ``workshops`` are the agenda's breakout room names; ``overrides`` maps header → field
    (``--map``); naive timestamps are read in ``timezone`` (default Europe/Berlin) and stored in UTC.
    Raises ``BadInput`` subclasses when the file as a whole is unusable.
    """
    table = read_rows(path, encoding=encoding, sheet=sheet, delimiter=delimiter)
    return build_batch(table, workshops=workshops, overrides=overrides, timezone=timezone)


def build_batch(
    table: RawTable,
    *,
    workshops: Sequence[str],
    overrides: Mapping[str, str] | None = None,
    timezone: tzinfo | None = None,
) -> ImportBatch:
    """Validate and merge the rows of an already read table (see :func:`parse_registrations`).

    The header is the first row naming the required columns, so a report's preamble above the
    table is skipped (:func:`~orchestrator.registrants.table_start.locate_table`).
    """
    table, header_map = locate_table(table, overrides)
    parser = _RowParser(header_map, WorkshopMatcher(workshops), timezone or ZoneInfo(DEFAULT_TIMEZONE))
    by_email: dict[str, list[RegistrantRecord]] = {}
    rejected: list[RejectedRow] = []
    warnings: list[RowWarning] = []
    rejected_rows: set[int] = set()
    for raw in table.rows:
        record, problems, row_warnings = parser.parse(raw)
        warnings.extend(row_warnings)
        if record is None:
            rejected.extend(problems)
            rejected_rows.add(raw.number)
        else:
            by_email.setdefault(record.email, []).append(record)

    # Order: where the person first appears; data: from their last row.
    records = [versions[-1] for versions in by_email.values()]
    merges = [
        Merge(email, [v.source_row for v in versions], versions[-1].source_row)
        for email, versions in by_email.items()
        if len(versions) > 1
    ]
    accepted = sum(len(v) for v in by_email.values())
    stats = ImportStats(
        rows_read=len(table.rows),
        empty_rows=len(table.empty_rows),
        rows_accepted=accepted,
        rows_rejected=len(rejected_rows),
        people=len(records),
        merged_rows=accepted - len(records),
        rejections_by_reason=dict(Counter(r.code for r in rejected)),
        warnings=len(warnings),
    )
    return ImportBatch(
        records=records,
        rejected=rejected,
        merges=merges,
        warnings=warnings,
        stats=stats,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=list(table.headers),
        header_map=header_map,
        source=table.source,
        unmapped_headers=list(header_map.unmapped),
        header_row=table.header_row,
    )


class _RowParser:
    """Validates one row at a time; collects every problem of a row, not just the first."""

    def __init__(self, header_map: HeaderMap, matcher: WorkshopMatcher, tz: tzinfo) -> None:
        self.map = header_map
        self.matcher = matcher
        self.tz = tz
        self.width = len(header_map.headers)

    def parse(  # noqa: C901  one check per field, in column order; splitting hides the order
        self, raw: RawRow
    ) -> tuple[RegistrantRecord | None, list[RejectedRow], list[RowWarning]]:
        problems: list[RejectedRow] = []
        warnings: list[RowWarning] = []
        values = raw.values

        def reject(name: str | None, code: str, *, hints: tuple[str, ...] = (), detail: str = "") -> None:
            value = self._value(values, name) if name else ""
            column = self.map.header(name) if name and name in self.map else None
            problems.append(
                RejectedRow(raw.number, name, column, code, safe_preview(value), raw.line, hints, detail)
            )

        extra = [v for v in values[self.width :] if v.strip()]
        if extra:
            reject(None, "extra_values", detail=f"{len(values)}/{self.width}")

        unsafe: dict[str, str] = {}
        for name in self.map.columns:
            if name not in _MULTILINE_FIELDS:
                problem = single_line_problem(self._value(values, name))
                if problem is not None:
                    unsafe[name] = problem
        for name in sorted(unsafe, key=self.map.columns.__getitem__):
            reject(name, unsafe[name])

        email = None
        if "email" not in unsafe:
            try:
                email = parse_email(self._value(values, "email"))
            except ValueProblem as problem:
                reject("email", problem.code, detail=problem.detail)

        first, last = self._names(values)
        named = (("first_name", first), ("last_name", last))
        missing = {name if name in self.map else "name" for name, text in named if not text}
        for source in sorted(missing - unsafe.keys()):
            reject(source, "missing_name")

        consent: bool | None = None
        if "consent" in self.map and "consent" not in unsafe:
            try:
                consent = parse_consent(self._value(values, "consent"))
            except ValueProblem as problem:
                reject("consent", problem.code)
            else:
                if not consent:
                    reject("consent", "consent_missing")

        wishes: list[str] = []
        for name in WISH_FIELDS:
            wish = self._value(values, name).strip()
            if not wish or name in unsafe:
                continue
            match = self.matcher.match(wish)
            if match.room is None:
                if match.suggestions:
                    reject(name, "unknown_wish", hints=match.suggestions)
                else:
                    reject(name, "unknown_wish", hints=self.matcher.workshops, detail="no_suggestion")
            elif match.room not in wishes:
                wishes.append(match.room)
        if "wishes_ranked" in self.map and "wishes_ranked" not in unsafe:
            warnings.extend(self._ranked_wishes(raw, wishes))

        approval = None
        if "approval_status" in self.map and "approval_status" not in unsafe:
            try:
                approval = parse_approval(self._value(values, "approval_status"))
            except ValueProblem as problem:
                approval = "pending"  # unknown: never approve someone the organiser may have denied
                warnings.append(self._warning(raw, "approval_status", problem.code))
            if approval == "denied":
                reject("approval_status", "approval_denied")

        registered_at = None
        if "registered_at" not in unsafe:
            try:
                registered_at = parse_timestamp(self._value(values, "registered_at"), self.tz)
            except ValueProblem as problem:
                warnings.append(self._warning(raw, "registered_at", problem.code))
        language = None
        if "language" not in unsafe:
            try:
                language = parse_language(self._value(values, "language"))
            except ValueProblem as problem:
                warnings.append(self._warning(raw, "language", problem.code))

        if problems or email is None:
            return None, problems, []  # a rejected row's minor warnings would only add noise
        notes = self._value(values, "notes").replace("\r\n", "\n").strip()
        record = RegistrantRecord(
            email=email.identity,
            email_display=email.display,
            first_name=first,
            last_name=last,
            organisation=self._optional(values, "organisation"),
            job_title=self._optional(values, "job_title"),
            wishes=tuple(wishes),
            consent=consent,
            external_ref=self._optional(values, "external_ref"),
            registered_at=registered_at,
            language=language,
            notes=notes or None,
            source_row=raw.number,
            approval_pending=approval == "pending",
        )
        return record, problems, warnings

    def _ranked_wishes(self, raw: RawRow, wishes: list[str]) -> list[RowWarning]:
        """Append the rooms of the ranking cell to ``wishes``; warnings for what cannot be used."""
        ranking = split_ranking(self._value(raw.values, "wishes_ranked"), self.matcher)
        wishes.extend(room for room in ranking.rooms if room not in wishes)
        column = self.map.header("wishes_ranked")
        issues = [
            RowWarning(
                raw.number,
                "wishes_ranked",
                column,
                "unknown_ranked_wish",
                safe_preview(choice.text),
                raw.line,
                choice.suggestions or self.matcher.workshops,
                "" if choice.suggestions else "no_suggestion",
            )
            for choice in ranking.unknown
        ]
        issues += [
            RowWarning(raw.number, "wishes_ranked", column, "duplicate_wish", safe_preview(room), raw.line)
            for room in ranking.duplicates
        ]
        if ranking.unknown_not_listed:
            issues.append(
                RowWarning(
                    raw.number,
                    "wishes_ranked",
                    None,  # the reason names the ranking; there is no single value to show
                    "more_unknown_choices",
                    "",
                    raw.line,
                    detail=str(ranking.unknown_not_listed),
                )
            )
        return issues

    def _value(self, values: list[str], name: str) -> str:
        index = self.map.columns.get(name)
        if index is None or index >= len(values):
            return ""
        return values[index]

    def _optional(self, values: list[str], name: str) -> str | None:
        return self._value(values, name).strip() or None

    def _names(self, values: list[str]) -> tuple[str, str]:
        if "first_name" in self.map and "last_name" in self.map:
            return self._value(values, "first_name").strip(), self._value(values, "last_name").strip()
        first, last = split_full_name(self._value(values, "name"))
        if "first_name" in self.map:
            first = self._value(values, "first_name").strip() or first
        if "last_name" in self.map:
            last = self._value(values, "last_name").strip() or last
        return first, last

    def _warning(self, raw: RawRow, name: str, code: str) -> RowWarning:
        preview = safe_preview(self._value(raw.values, name))
        return RowWarning(raw.number, name, self.map.header(name), code, preview, raw.line)


def reason_text(issue: RowIssue) -> str:  # noqa: C901  one branch per issue code
    """The translated reason for an issue code."""
    code = issue.code
    if code == "missing_email":
        return _("the e-mail address is missing")
    if code == "invalid_email" and issue.detail == "non_ascii_local_part":
        return _(
            "the e-mail address has non-ASCII characters before the @, which Zoom and many mail "
            "servers refuse"
        )
    if code == "invalid_email" and issue.detail == "formula_prefix":
        return _("the e-mail address starts with '=' or '@', which spreadsheet programs run as a formula")
    if code == "invalid_email":
        return _("invalid e-mail address ({detail})", detail=issue.detail)
    if code == "control_characters":
        return _("contains a line break or control character (refused: possible mail header injection)")
    if code == "format_characters":
        return _(
            "contains an invisible formatting character such as a right-to-left override (refused: it "
            "makes the text display as something else)"
        )
    if code == "missing_name":
        return _("the name is missing")
    if code == "consent_missing":
        return _("privacy consent not given")
    if code == "bad_consent":
        return _("privacy consent value not recognised (expected ja/nein or yes/no)")
    if code == "unknown_wish":
        if issue.detail == "no_suggestion":
            return _(
                "matches no workshop of the agenda (workshops: {rooms})",
                rooms=", ".join(f"'{r}'" for r in issue.hints) or "-",
            )
        return _(
            "matches no workshop of the agenda; did you mean {suggestions}?",
            suggestions=_join_alternatives([f"'{s}'" for s in issue.hints]),
        )
    if code == "unknown_ranked_wish":
        if issue.detail == "no_suggestion":
            return _(
                "a choice of the ranking matches no workshop of the agenda (workshops: {rooms}); the "
                "other choices are imported",
                rooms=", ".join(f"'{r}'" for r in issue.hints) or "-",
            )
        return _(
            "a choice of the ranking matches no workshop of the agenda; did you mean {suggestions}? The "
            "other choices are imported",
            suggestions=_join_alternatives([f"'{s}'" for s in issue.hints]),
        )
    if code == "more_unknown_choices":
        return _("{count} more choices of the ranking match no workshop", count=issue.detail)
    if code == "duplicate_wish":
        return _("the ranking names this workshop more than once; its first place counts")
    if code == "approval_denied":
        return _("denied in the registration report (approval status); not imported")
    if code == "bad_approval_status":
        return _(
            "approval status not recognised (expected approved, pending or denied); imported as "
            "waiting for approval"
        )
    if code == "extra_values":
        count, _sep, width = issue.detail.partition("/")
        return _(
            "the row has {count} values but the header has {width} columns (a separator inside an "
            "unquoted value?)",
            count=count,
            width=width,
        )
    if code == "bad_timestamp":
        return _("date not recognised (expected dd.mm.yyyy HH:MM or ISO 8601); imported without it")
    if code == "bad_language":
        return _("language not recognised (expected de or en); imported without it")
    return code


def _join_alternatives(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return _("{items} or {last}", items=", ".join(items[:-1]), last=items[-1])
