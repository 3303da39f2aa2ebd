"""Benchmark of the registration import parser (issue "Registrants": 5,000 rows under 5 s, 300 MB).

Generates a 5,000-row export in a temp dir in the fixture's dialect (UTF-8 with BOM, ";", German
headers) with the fixture's kinds of noise: ~3 % duplicates with case/space noise, ~1 % broken
addresses, ~0.5 % header-injection names, empty wishes, dash/umlaut variants of room names and
multi-line quoted notes. Parses it (median of 3 runs) and prints time, counts and peak RSS; then
the same rows as XLSX. Each run is a fresh child process, so RSS is that run's own peak.

Run: .venv/bin/python benchmarks/import_parse.py [rows]
"""

from __future__ import annotations

import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKSHOPS = [
    "ALIA – Agil leben im Alter",
    "Wohnen statt Unterbringung – reloaded",
    "Kümmerei Köln",
    "Kommunale Sorgestrukturen",
    "Caring Community Köln",
]
VARIANTS = {"Kümmerei Köln": "Kuemmerei Koeln", "ALIA – Agil leben im Alter": "ALIA - Agil leben im Alter"}
HEADERS = [
    "Anmeldung-Nr.", "Vorname", "Nachname", "E-Mail", "Organisation", "Funktion", "Workshop-Wunsch 1",
    "Workshop-Wunsch 2", "Workshop-Wunsch 3", "Datenschutz akzeptiert", "Angemeldet am", "Bemerkungen",
]  # fmt: skip
FIRST = ["Elif", "Petra", "Renée", "Dieter", "Sören", "Heike", "Małgorzata", "Zoë", "Jörg", "Ömer", "Ayşe"]
LAST = ["Fuß", "Öztürk", "Dąbrowski", "Weiß", "Van der Berg", "Meyer-Lüdenscheid", "Yılmaz", "O'Connor"]
ORGS = ["Diakonie Münster", "Stadt Köln, Amt für Soziales", "Paritätischer NRW", "", "Hochschule Kempten"]


def generate(rows: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    data: list[list[str]] = []
    for i in range(1, rows + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"person{i}@example.org"
        roll = rng.random()
        if roll < 0.03 and i > 10:  # duplicate of an earlier person, with case/space noise
            email = f"  PERSON{rng.randrange(1, i)}@EXAMPLE.ORG "
        elif roll < 0.04:
            email = rng.choice(["a@b", "jürgen@müller-example.de ", "kein-at.example.org"])
        elif roll < 0.045:
            last = "Evil\r\nBcc: victim@example.com"
        wishes = rng.sample(WORKSHOPS, 3)
        wishes = [VARIANTS.get(w, w) if rng.random() < 0.05 else w for w in wishes]
        if rng.random() < 0.02:
            wishes = ["", "", ""]
        notes = "Rollstuhl.\nBitte Untertitel." if rng.random() < 0.05 else ""
        stamp = f"{rng.randint(1, 28):02d}.07.2025 {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        org = rng.choice(ORGS)
        data.append([f"FT25-{i:05d}", first, last, email, org, "Sozialplanung", *wishes, "ja", stamp, notes])
    return data


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Anmeldungen")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM (Linux) starts afresh at exec; ru_maxrss is inherited from
    the parent across fork+exec on Linux and would report the generator's memory instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str) -> None:
    """Runs in a fresh interpreter: import, parse once, print JSON figures."""
    from orchestrator.registrants import parse_registrations

    baseline = peak_rss_mb()
    started = time.perf_counter()
    batch = parse_registrations(Path(path), workshops=WORKSHOPS)
    elapsed = time.perf_counter() - started
    peak = peak_rss_mb()
    stats = batch.stats
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "baseline_mb": baseline,
                "peak_mb": peak,
                "rows_read": stats.rows_read,
                "people": stats.people,
                "merged": stats.merged_rows,
                "rejected_rows": stats.rows_rejected,
                "by_reason": stats.rejections_by_reason,
            }
        )
    )


def measure(path: Path, runs: int = 3) -> None:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True
        )
        results.append(json.loads(out.stdout))
    last = results[-1]
    print(f"  file: {path.name}, {path.stat().st_size / 1e6:.2f} MB")
    runs_text = ", ".join(f"{r['seconds']:.3f}" for r in results)
    median = statistics.median(r["seconds"] for r in results)
    print(f"  parse time: median {median:.3f} s (runs: {runs_text})")
    print(f"  peak RSS: {max(r['peak_mb'] for r in results):.1f} MB "
          f"(interpreter + imports before parsing: {last['baseline_mb']:.1f} MB)")  # fmt: skip
    print(f"  rows read {last['rows_read']}, people {last['people']}, merged rows {last['merged']}, "
          f"rejected rows {last['rejected_rows']} {last['by_reason']}")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    data = generate(rows)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "anmeldungen.csv"
        write_csv(csv_path, data)
        print(f"CSV, {rows} rows (UTF-8 BOM, ';', multi-line notes):")
        measure(csv_path)
        xlsx_path = Path(tmp) / "anmeldungen.xlsx"
        write_xlsx(xlsx_path, data)
        print(f"XLSX, {rows} rows (openpyxl read-only):")
        measure(xlsx_path)


if __name__ == "__main__":
    main()
