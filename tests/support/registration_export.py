"""A synthetic registration export as organisers get it, and what importing it must give.

The export is written like the form tool's: UTF-8 with BOM, ``;`` between fields, CR/LF line
ends, German headers, synthetic people at example domains (umlauts, ß, accents, apostrophes,
compound names), organisations, functions, three ranked workshop wishes and "Angemeldet am"
(local time, Europe/Berlin). It carries the faults such exports carry, each a known number of times:

- duplicates: people who registered twice; the earlier row's address has case/space noise, the
  later row (kept by the import) is written cleanly and has other wishes;
- a broken address (``(at)`` instead of ``@``) and addresses with non-ASCII characters before the @;
- header-injection attempts: a CR/LF followed by ``Bcc:``/``Cc:`` inside a quoted name (the row
  spans two text lines);
- rows without any wish, and people without an organisation.

Everything is derived from a seeded random generator, so the output is the same bytes on every run.
:class:`ExportFacts` states the expected import result, worked out from the plan of the export
(never by running the importer). The committed ``tests/fixtures/anmeldungen-fachtag.csv`` and
``config/demo-anmeldungen.csv`` are this module's output; a test checks they never drift.
Regenerate both with ``python -m tests.support.registration_export``.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PATH = REPO_ROOT / "tests" / "fixtures" / "anmeldungen-fachtag.csv"
DEMO_PATH = REPO_ROOT / "config" / "demo-anmeldungen.csv"

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
TIMEZONE = ZoneInfo("Europe/Berlin")
TIMESTAMP_FORMAT = "%d.%m.%Y %H:%M"

HEADERS = (
    "Anmeldung-Nr.",
    "Vorname",
    "Nachname",
    "E-Mail",
    "Organisation",
    "Funktion",
    "Workshop-Wunsch 1",
    "Workshop-Wunsch 2",
    "Workshop-Wunsch 3",
    "Datenschutz akzeptiert",
    "Angemeldet am",
)
# The workshops of config/fachtag-2025.yaml, in the agenda's order (a test checks they match).
WORKSHOPS = (
    "ALIA – Agil leben im Alter",
    "Wohnen statt Unterbringung – reloaded",
    "Kümmerei Köln",
    "Kommunale Sorgestrukturen",
    "Caring Community Köln",
)
# How often each workshop is wished for (uneven on purpose: not everyone gets a first wish).
POPULARITY = (34, 26, 16, 13, 11)

FIRST_NAMES = (
    "Anna", "Jürgen", "Sören", "Björn", "Dörte", "Renée", "Zoë", "Małgorzata", "Ömer", "Ayşe",
    "Gülşen", "Karl-Heinz", "Hans-Jürgen", "François", "José", "Chloé", "Heike", "Lena", "Jonas",
    "Ute", "Mehmet", "Katrin", "Thomas", "Sabine", "Wolfgang", "Ingrid", "Paul", "Miriam", "Agnieszka",
    "Fatma", "Jörg", "Bärbel", "Maximilian", "Sophie", "Dragan", "Nikolaos",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schröder", "Weiß", "Groß", "Strauß", "Öztürk", "Dąbrowski", "O'Brien", "D'Amico",
    "Van der Berg", "von der Heide", "Meyer-Lüdenscheid", "Yılmaz", "Krämer", "Böhm", "Jäger",
    "Günther", "Kowalczyk", "Nguyen", "Schäfer", "Becker", "Hoffmann", "Wagner", "Koch", "Richter",
    "Lefèvre", "Şahin", "Papadopoulos", "Kühn", "Brandt", "Fischer", "Zimmermann", "Hübner",
)  # fmt: skip
ORGANISATIONS = (
    "Caritasverband Köln e.V.", "Diakonie Düsseldorf", "Stadt Bielefeld, Amt für Soziales",
    "Seniorenbüro Münster-Süd", "AWO Kreisverband Essen", "Nachbarschaftshilfe Sülz",
    "Quartiersbüro Gelsenkirchen-Bismarck", "Pflegestützpunkt Wuppertal", "DRK Ortsverein Siegen",
    "Hochschule Düsseldorf", "Paritätischer Wohlfahrtsverband NRW", "Kreis Höxter – Sozialplanung",
    "Selbsthilfe Demenz e.V.", "Freiwilligenagentur Köln",
)  # fmt: skip
FUNCTIONS = (
    "Sozialplanung", "Quartiersmanagement", "Ehrenamt", "Soziale Arbeit", "Pflegeberatung",
    "Geschäftsführung", "Kommunalpolitik", "Nachbarschaftshilfe", "Seniorenvertretung",
)  # fmt: skip
DOMAINS = ("example.org", "example.net", "example.com")

SEED = 20250827
ROWS = 246
INVALID_ADDRESSES = 1  # ASCII, but broken
NON_ASCII_LOCAL_PARTS = 2
INJECTIONS = 2
REPEATS = 6
WITHOUT_WISHES = 4
WITHOUT_ORGANISATION = 10
FIRST_REPEAT_ROW = 20  # a repeat registration comes after enough rows to have an earlier one


class Fault(enum.Enum):
    """What is wrong with a row (``NONE``: nothing)."""

    NONE = "none"
    INVALID_ADDRESS = "invalid_address"
    NON_ASCII_LOCAL_PART = "non_ascii_local_part"
    INJECTION = "injection"
    NOISY_FIRST_REGISTRATION = "noisy_first_registration"
    REPEAT = "repeat"


@dataclass(frozen=True)
class ExportRow:
    """One registration as the form tool writes it."""

    ref: str
    first_name: str
    last_name: str
    email: str
    organisation: str
    function: str
    wishes: tuple[str, str, str]
    consent: str
    registered_local: dt.datetime
    fault: Fault
    identity: str  # the address a correct import keys the person on

    def cells(self) -> list[str]:
        stamp = self.registered_local.strftime(TIMESTAMP_FORMAT)
        return [self.ref, self.first_name, self.last_name, self.email, self.organisation, self.function,
                *self.wishes, self.consent, stamp]  # fmt: skip

    @property
    def text_lines(self) -> int:
        """How many text lines the row takes (a quoted CR/LF adds one)."""
        return 1 + sum(cell.count("\n") for cell in self.cells())


@dataclass(frozen=True)
class ExpectedPerson:
    """A person as the import must store them (from the kept, i.e. last, row of their address)."""

    email: str
    first_name: str
    last_name: str
    organisation: str | None
    job_title: str
    wishes: tuple[str, ...]
    external_ref: str
    registered_at: dt.datetime  # UTC
    source_row: int


@dataclass(frozen=True)
class ExpectedRejection:
    """A row the import must refuse: row number (header = row 1), first text line, column, reason."""

    row: int
    line: int
    column: str
    code: str
    ref: str
    email: str  # as written in the row
    fault: Fault


@dataclass(frozen=True)
class ExpectedMerge:
    """Rows sharing one address; the import keeps the later."""

    rows: tuple[int, ...]
    kept_row: int
    email: str


@dataclass(frozen=True)
class ExportFacts:
    """What importing the export must give, worked out from the export's plan."""

    rows_read: int
    text_lines: int  # header included
    rows_rejected: int
    rows_accepted: int
    people: int
    merged_rows: int
    rejections_by_reason: Mapping[str, int]
    non_ascii_local_parts: int
    injections: int
    rejections: tuple[ExpectedRejection, ...]
    merges: tuple[ExpectedMerge, ...]
    without_wishes: tuple[str, ...]  # external refs of people without any wish
    without_organisation: int  # people (not rows) without an organisation
    expected_people: tuple[ExpectedPerson, ...]  # in source-row order

    @property
    def first(self) -> ExpectedPerson:
        return self.expected_people[0]

    @property
    def second(self) -> ExpectedPerson:
        return self.expected_people[1]


@dataclass(frozen=True)
class RegistrationExport:
    """The rows of an export, its bytes and the expected import result."""

    rows: tuple[ExportRow, ...]

    def to_bytes(self) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator=LINE_END)
        writer.writerow(HEADERS)
        writer.writerows(row.cells() for row in self.rows)
        return (BOM + buffer.getvalue()).encode("utf-8")

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())
        return path

    @property
    def facts(self) -> ExportFacts:
        return _facts(self.rows)


_TRANSLITERATION: dict[str, str | int | None] = {
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ı": "i", "ł": "l", "Ł": "L",
}  # fmt: skip


def ascii_slug(text: str) -> str:
    """``Meyer-Lüdenscheid`` → ``meyer-luedenscheid``, ``O'Brien`` → ``obrien`` (for addresses)."""
    german = text.translate(str.maketrans(_TRANSLITERATION))
    plain = unicodedata.normalize("NFKD", german).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in plain.lower() if c.isalnum() or c == "-")


def build_export(seed: int = SEED, rows: int = ROWS) -> RegistrationExport:
    """The export of ``rows`` registrations planned from ``seed`` (same arguments, same rows)."""
    return RegistrationExport(tuple(_Planner(random.Random(seed), rows).rows()))


@cache
def fachtag_export() -> RegistrationExport:
    """The export committed as the test fixture and the demo's registrations."""
    return build_export()


class _Planner:
    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.count = count
        self.used_addresses: set[str] = set()

    def rows(self) -> list[ExportRow]:
        rng = self.rng
        # Row 0 stays a plain, complete registration: tests read it as "the first person".
        pool = list(range(1, self.count))
        rng.shuffle(pool)
        faulty = {
            Fault.INVALID_ADDRESS: pool[:INVALID_ADDRESSES],
            Fault.NON_ASCII_LOCAL_PART: pool[INVALID_ADDRESSES : INVALID_ADDRESSES + NON_ASCII_LOCAL_PARTS],
        }
        taken = INVALID_ADDRESSES + NON_ASCII_LOCAL_PARTS
        faulty[Fault.INJECTION] = pool[taken : taken + INJECTIONS]
        taken += INJECTIONS
        rest = pool[taken:]
        repeats = [i for i in rest if i >= FIRST_REPEAT_ROW][:REPEATS]
        used = {i for indices in faulty.values() for i in indices} | set(repeats)
        originals: dict[int, int] = {}
        for repeat in sorted(repeats):
            candidates = [i for i in range(1, repeat) if i not in used]
            originals[repeat] = rng.choice(candidates)
            used.add(originals[repeat])
        plain = [i for i in rest if i not in used]
        without_wishes = set(plain[:WITHOUT_WISHES])
        without_organisation = set(plain[WITHOUT_WISHES : WITHOUT_WISHES + WITHOUT_ORGANISATION])
        noisy_first = set(originals.values())

        moment = dt.datetime(2025, 7, 1, 8, 0)
        planned: list[ExportRow] = []
        for index in range(self.count):
            moment += dt.timedelta(minutes=rng.randint(15, 240))
            ref = f"FT25-{index + 1:04d}"
            if index in originals:
                planned.append(self._repeat(planned[originals[index]], ref, moment))
                continue
            fault = next((f for f, indices in faulty.items() if index in indices), Fault.NONE)
            if index in noisy_first:
                fault = Fault.NOISY_FIRST_REGISTRATION
            planned.append(
                self._person(
                    ref,
                    moment,
                    fault,
                    wishes=index not in without_wishes,
                    organisation=index not in without_organisation,
                )
            )
        return planned

    def _person(
        self, ref: str, moment: dt.datetime, fault: Fault, *, wishes: bool, organisation: bool
    ) -> ExportRow:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if fault is Fault.NON_ASCII_LOCAL_PART:
            while first.isascii():
                first = rng.choice(FIRST_NAMES)  # the point is a non-ASCII letter before the @
        domain = rng.choice(DOMAINS)
        identity = self._new_address(first, last, domain)
        org = rng.choice(ORGANISATIONS) if organisation else ""
        email = identity
        if fault is Fault.INVALID_ADDRESS:
            email = identity.replace("@", "(at)")
        elif fault is Fault.NON_ASCII_LOCAL_PART:
            email = f"{first.lower()}.{ascii_slug(last)}@{domain} "  # as typed, trailing space included
        elif fault is Fault.NOISY_FIRST_REGISTRATION:
            email = rng.choice((f"  {identity.upper()} ", f"{identity.title()} ", f" {identity}"))
        elif fault is Fault.INJECTION:
            if rng.random() < 0.5:  # in the last or the first name (the committed export has both)
                last = f"{last}\r\nBcc: victim@example.com"
            else:
                first = f"{first}\r\nCc: victim@example.net"
        return ExportRow(
            ref=ref,
            first_name=first,
            last_name=last,
            email=email,
            organisation=org,
            function=rng.choice(FUNCTIONS),
            wishes=self._wishes() if wishes else ("", "", ""),
            consent="ja",
            registered_local=moment,
            fault=fault,
            identity=identity,
        )

    def _repeat(self, original: ExportRow, ref: str, moment: dt.datetime) -> ExportRow:
        """The same person again, address written cleanly, with wishes chosen anew."""
        return ExportRow(
            ref=ref,
            first_name=original.first_name,
            last_name=original.last_name,
            email=original.identity,
            organisation=original.organisation,
            function=original.function,
            wishes=self._wishes(),
            consent="ja",
            registered_local=moment,
            fault=Fault.REPEAT,
            identity=original.identity,
        )

    def _new_address(self, first: str, last: str, domain: str) -> str:
        while True:
            address = f"{ascii_slug(first)}.{ascii_slug(last)}{self.rng.randrange(1, 1000)}@{domain}"
            if address not in self.used_addresses:
                self.used_addresses.add(address)
                return address

    def _wishes(self) -> tuple[str, str, str]:
        """Three different workshops, ranked, drawn by popularity without replacement."""
        left = list(zip(WORKSHOPS, POPULARITY, strict=True))
        chosen: list[str] = []
        for _ in range(3):
            point = self.rng.random() * sum(weight for _, weight in left)
            for position, (name, weight) in enumerate(left):
                point -= weight
                if point < 0 or position == len(left) - 1:
                    chosen.append(name)
                    del left[position]
                    break
        return chosen[0], chosen[1], chosen[2]


_REJECTION_CODES = {
    Fault.INVALID_ADDRESS: "invalid_email",
    Fault.NON_ASCII_LOCAL_PART: "invalid_email",
    Fault.INJECTION: "control_characters",
}


def _facts(rows: tuple[ExportRow, ...]) -> ExportFacts:
    rejections: list[ExpectedRejection] = []
    rows_by_address: dict[str, list[tuple[int, ExportRow]]] = {}
    line = 2  # the header is line 1
    for position, row in enumerate(rows, start=2):
        if row.fault in _REJECTION_CODES:
            if row.fault is Fault.INJECTION:
                column = HEADERS[1] if "\n" in row.first_name else HEADERS[2]
            else:
                column = HEADERS[3]
            code = _REJECTION_CODES[row.fault]
            rejections.append(ExpectedRejection(position, line, column, code, row.ref, row.email, row.fault))
        else:
            rows_by_address.setdefault(row.identity, []).append((position, row))
        line += row.text_lines
    merges = sorted(
        (
            ExpectedMerge(tuple(p for p, _ in group), group[-1][0], address)
            for address, group in rows_by_address.items()
            if len(group) > 1
        ),
        key=lambda merge: merge.rows,
    )
    kept = sorted((group[-1] for group in rows_by_address.values()), key=lambda item: item[0])
    people = tuple(_expected_person(position, row) for position, row in kept)
    by_reason: dict[str, int] = {}
    for rejection in rejections:
        by_reason[rejection.code] = by_reason.get(rejection.code, 0) + 1
    accepted = len(rows) - len(rejections)
    return ExportFacts(
        rows_read=len(rows),
        text_lines=line - 1,
        rows_rejected=len(rejections),
        rows_accepted=accepted,
        people=len(people),
        merged_rows=accepted - len(people),
        rejections_by_reason=by_reason,
        non_ascii_local_parts=sum(1 for r in rejections if r.fault is Fault.NON_ASCII_LOCAL_PART),
        injections=sum(1 for r in rejections if r.fault is Fault.INJECTION),
        rejections=tuple(rejections),
        merges=tuple(merges),
        without_wishes=tuple(p.external_ref for p in people if not p.wishes),
        without_organisation=sum(1 for p in people if p.organisation is None),
        expected_people=people,
    )


def _expected_person(position: int, row: ExportRow) -> ExpectedPerson:
    return ExpectedPerson(
        email=row.identity,
        first_name=row.first_name,
        last_name=row.last_name,
        organisation=row.organisation or None,
        job_title=row.function,
        wishes=tuple(w for w in row.wishes if w),
        external_ref=row.ref,
        registered_at=row.registered_local.replace(tzinfo=TIMEZONE).astimezone(dt.UTC),
        source_row=position,
    )


def main() -> None:
    """Rewrite the committed fixture and the demo's registrations from the generator."""
    export = fachtag_export()
    for path in (FIXTURE_PATH, DEMO_PATH):
        export.write(path)
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    facts = export.facts
    print(
        f"{facts.rows_read} rows, {facts.rows_rejected} rejected {dict(facts.rejections_by_reason)}, "
        f"{facts.people} people, {facts.merged_rows} merged"
    )


if __name__ == "__main__":
    main()
