"""MIME build cost per mail: the product's fast writer vs the standard ``email`` package.

Renders N personalised confirmations (text + HTML + .ics) once, then times, single-threaded:
(1) the ``email`` package build + CRLF serialisation (the naive loops' baseline,
    ``tests/unit/mail/stdlib_reference.py``),
(2) ``build_prepared`` with quoted-printable bodies (preview .eml, 7-bit servers),
(3) ``build_prepared(eight_bit=True)`` (what the dispatcher sends),
(4) ``seven_bit`` on (3)'s output: the re-encoding for a server without 8BITMIME (rare).
Medians of ``--repeat`` runs, in microseconds per mail.
Run: .venv/bin/python benchmarks/mail_build.py [--mails N] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from orchestrator.clock import FrozenClock  # noqa: E402
from orchestrator.mail import EventInfo, MailRenderer, Occasion, ProgrammeItem, Recipient  # noqa: E402
from orchestrator.mail.fastmime import build_prepared, seven_bit  # noqa: E402
from orchestrator.mail.render import RenderedMail  # noqa: E402
from tests.unit.mail.stdlib_reference import stdlib_bytes  # noqa: E402

SENDER = "Forum Seniorenarbeit NRW <info@forum-seniorenarbeit.de>"
EVENT = EventInfo(
    key="fachtag-2025",
    title="Caring Community: Miteinander sorgen & gemeinsam wirken",
    organiser_name="Forum Seniorenarbeit NRW",
    contact_email="info@forum-seniorenarbeit.de",
    contact_phone="Lena Kukowka: 030 / 221 8298 – 38",
    extra_contacts=(),
    timezone="Europe/Berlin",
    start_utc=datetime(2025, 8, 27, 7, 30, tzinfo=UTC),
    end_utc=datetime(2025, 8, 27, 12, 15, tzinfo=UTC),
    zoom_meeting_id="85512345678",
    programme=(ProgrammeItem("09:30", "09:45", "Begrüßung"),),
)


def rendered_mails(count: int) -> list[tuple[RenderedMail, Recipient]]:
    renderer = MailRenderer(clock=FrozenClock(datetime(2025, 8, 1, 8, 0, tzinfo=UTC)))
    mails = []
    for i in range(count):
        language = "de" if i % 2 else "en"
        recipient = Recipient(
            f"person{i}@example.org",
            "Jürgen" if i % 3 else "Sam",
            f"Müller-{i}",
            language,
            f"https://zoom.us/w/85512345678?tk=token-{i}",
        )
        mails.append((renderer.render("confirmation", EVENT, recipient, Occasion()), recipient))
    return mails


def per_mail_us(
    mails: list[tuple[RenderedMail, Recipient]], build: Callable[[RenderedMail, Recipient, int], object]
) -> float:
    started = time.perf_counter()
    for i, (rendered, recipient) in enumerate(mails):
        build(rendered, recipient, i)
    return (time.perf_counter() - started) / len(mails) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    mails = rendered_mails(args.mails)
    eight = [
        build_prepared(r, sender=SENDER, recipient=p, message_id=f"<b{i}@bench>", eight_bit=True)
        for i, (r, p) in enumerate(mails)
    ]
    paths: dict[str, Callable[[RenderedMail, Recipient, int], object]] = {
        "email package (compat32) + serialise": lambda r, p, i: stdlib_bytes(
            r, sender=SENDER, recipient=p, message_id=f"<b{i}@bench>"
        ),
        "build_prepared, quoted-printable": lambda r, p, i: build_prepared(
            r, sender=SENDER, recipient=p, message_id=f"<b{i}@bench>"
        ),
        "build_prepared, 8bit (dispatcher)": lambda r, p, i: build_prepared(
            r, sender=SENDER, recipient=p, message_id=f"<b{i}@bench>", eight_bit=True
        ),
        "seven_bit(8bit mail) fallback": lambda r, p, i: seven_bit(eight[i]),
    }
    results: dict[str, list[float]] = {label: [] for label in paths}
    for _ in range(args.repeat):
        for label, build in paths.items():
            results[label].append(per_mail_us(mails, build))
    print(f"MIME build, {args.mails} rendered confirmations (text + HTML + .ics), median of {args.repeat}:")
    baseline = statistics.median(results["email package (compat32) + serialise"])
    for label, values in results.items():
        median = statistics.median(values)
        print(f"  {label:40s} {median:8.1f} us/mail  ({baseline / median:5.2f} x the email package speed)")


if __name__ == "__main__":
    main()
