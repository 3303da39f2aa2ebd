"""Synthetic registrations for ``orchestrator demo --people N``: a bigger rehearsal of the sample day.

The people are made up (German names, ``example.org`` addresses), seeded so every run writes the
same file, and written in the sample export's own format (semicolon CSV with a BOM), so they take
the same import path as a real export. Wishes are drawn from the agenda's workshops with a skew
(some workshops are popular), as real ranked wishes are.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

MAX_PEOPLE = 4999


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


HEADER = (
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
FIRST_NAMES = _words(
    """
    Anna Jonas Petra Mehmet Sabine Lukas Fatma Thomas Ingrid Elif Michael Renate Olena Stefan Ursula
    Jan Aylin Klaus Monika Karim Julia Dieter Zeynep Andrea Paul Gül Heike Tobias Birgit Noah
    """
)
LAST_NAMES = _words(
    """
    Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter
    Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger
    Hofmann Hartmann Lange Schmitt Werner Krause Yılmaz Öztürk Kowalski Nowak
    """
)
ORGANISATIONS = (
    "Stadt Münster, Sozialamt",
    "Caritasverband",
    "Diakonie",
    "AWO Ortsverein",
    "Seniorenbüro Mitte",
    "Quartiersmanagement Nord",
    "Paritätischer Wohlfahrtsverband",
    "Kreisverwaltung, Pflegestützpunkt",
    "Nachbarschaftshilfe e. V.",
    "Mehrgenerationenhaus",
)
FUNCTIONS = ("Sozialarbeit", "Sozialplanung", "Ehrenamt", "Quartiersarbeit", "Verwaltung", "Beratung")


def _ascii(text: str) -> str:
    folded = text.replace("ß", "ss").replace("ı", "i")
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode().lower()


def synthetic_export(people: int, workshops: list[str], *, seed: int = 4999) -> str:
    """The CSV text of ``people`` made-up registrations wishing among ``workshops``."""
    if not 1 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be between 1 and {MAX_PEOPLE}")
    rng = random.Random(seed)
    weights = [len(workshops) - i + 1 for i in range(len(workshops))]
    registered = datetime(2025, 6, 2, 8, 0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for number in range(1, people + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        wishes: list[str] = []
        while len(wishes) < min(3, len(workshops)):
            choice = rng.choices(workshops, weights)[0]
            if choice not in wishes:
                wishes.append(choice)
        wishes += [""] * (3 - len(wishes))
        registered += timedelta(minutes=rng.randint(1, 30))
        writer.writerow(
            (
                f"SYN-{number:04d}",
                first,
                last,
                f"{_ascii(first)}.{_ascii(last)}.{number}@example.org",
                rng.choice(ORGANISATIONS),
                rng.choice(FUNCTIONS),
                *wishes,
                "ja",
                registered.strftime("%d.%m.%Y %H:%M"),
            )
        )
    return "\ufeff" + buffer.getvalue()


def write_synthetic_export(path: Path, people: int, workshops: list[str]) -> Path:
    """Write :func:`synthetic_export` to ``path`` (unchanged content is not rewritten)."""
    text = synthetic_export(people, workshops)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path
