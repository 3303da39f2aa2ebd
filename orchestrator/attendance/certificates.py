"""Issuing certificates: pick people above the threshold, write PDFs, mail them exactly once.

:func:`certificate_attachments` is the hook for the mail outbox (PDF bytes per person); until the
outbox takes them, :func:`send_certificates` sends through a mail transport itself, with the same
exactly-once protocol as the outbox: intent (``sending`` + stable Message-ID) committed before
the transport is called, result recorded after; a message left in ``sending`` is reported, never
silently sent twice.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestrator.attendance.certificate import (
    CertificateData,
    duration_text,
    render_certificate,
    write_certificate,
)
from orchestrator.attendance.minutes import compute_attendance
from orchestrator.db.models import AttendanceCertificate, Event
from orchestrator.db.models.web import CertificateState
from orchestrator.events import agenda_of
from orchestrator.i18n import translate
from orchestrator.mail.message import refuse_line_breaks
from orchestrator.mail.transports import Transport, TransportError


@dataclass(frozen=True)
class CertificateAttachment:
    """One person's certificate, ready to attach to a mail.

    The PDF is rendered when asked for (:attr:`pdf`), not kept: thousands of certificates of
    about 45 KB each would otherwise sit in memory together.
    """

    person_id: int
    email: str
    display_name: str
    language: str
    minutes: int
    filename: str
    content: CertificateData = field(repr=False)

    @property
    def pdf(self) -> bytes:
        """The certificate's PDF bytes (the same bytes on every call)."""
        return render_certificate(self.content)


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.translate(_GERMAN)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60] or "person"


def certificate_attachments(
    session: Session, event: Event, *, min_minutes: int, now: datetime
) -> list[CertificateAttachment]:
    """Certificates for everyone who attended at least ``min_minutes`` (and more than 0)."""
    agenda = agenda_of(event)
    report = compute_attendance(session, event, now)
    issued_on = now.astimezone(agenda.tz).date()
    attachments = []
    for person in report.attended(min_minutes):
        lang = person.language if person.language in ("de", "en") else "de"
        data = CertificateData(
            name=person.full_name,
            organisation=person.organisation,
            event_title=event.title,
            event_date=agenda.date,
            minutes=person.minutes,
            organiser=agenda.organiser.name,
            issued_on=issued_on,
            language=lang,
        )
        prefix = translate("certificate-of-attendance", lang)
        attachments.append(
            CertificateAttachment(
                person_id=person.person_id,
                email=person.email,
                display_name=person.full_name,
                language=lang,
                minutes=person.minutes,
                filename=f"{prefix}-{_slug(person.full_name)}-{person.person_id}.pdf",
                content=data,
            )
        )
    return attachments


# From this many certificates on, worker processes render them (about 5 ms of CPU each): starting
# the workers costs about half a second, which a few hundred PDFs on a second core win back.
POOL_FROM = 200


def write_certificates(attachments: list[CertificateAttachment], out_dir: Path) -> list[Path]:
    """Write each PDF into ``out_dir`` (created if needed); returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(item.content, out_dir / item.filename) for item in attachments]
    cores = os.cpu_count() or 1
    if len(jobs) < POOL_FROM or cores < 2:
        return [write_certificate(job) for job in jobs]
    # "spawn", not "fork": the service's threads (web server, mail senders) may hold locks now.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(cores, 4), mp_context=context) as pool:
        return list(pool.map(write_certificate, jobs, chunksize=32))


def record_certificates(
    session: Session, event: Event, attachments: list[CertificateAttachment], now: datetime
) -> dict[int, AttendanceCertificate]:
    """One certificate row per person (minutes updated while not yet sent); flushes."""
    rows = {
        r.person_id: r
        for r in session.scalars(
            select(AttendanceCertificate).where(AttendanceCertificate.event_id == event.id)
        )
    }
    for item in attachments:
        row = rows.get(item.person_id)
        if row is None:
            row = AttendanceCertificate(
                event_id=event.id,
                person_id=item.person_id,
                minutes=item.minutes,
                state=CertificateState.WRITTEN,
                issued_at=now,
            )
            session.add(row)
            rows[item.person_id] = row
        elif row.state in (CertificateState.WRITTEN, CertificateState.FAILED):
            row.minutes = item.minutes
    session.flush()
    return rows


@dataclass
class SendOutcome:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # left in "sending" by an interrupted run
    failed: dict[str, str] = field(default_factory=dict)


def certificate_message(
    item: CertificateAttachment, *, event: Event, sender: str, message_id: str, date: datetime
) -> MIMEMultipart:
    """The mail carrying one certificate (plain text + PDF)."""
    lang = item.language
    subject = translate("Your certificate of attendance: {title}", lang, title=event.title)
    headers = (("Subject", subject), ("From", sender), ("To", item.email), ("To", item.display_name))
    for name, value in headers:
        refuse_line_breaks(name, value)
    text = translate(
        "Hello {name},\n\nthank you for taking part in “{title}”. Attached is your certificate of attendance "
        "({duration}).\n\nKind regards\n",
        lang,
        name=item.display_name,
        title=event.title,
        duration=duration_text(item.minutes, lang),
    )
    msg = MIMEMultipart("mixed")
    msg["From"] = sender
    msg["To"] = formataddr((item.display_name, item.email))
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date)
    msg.attach(MIMEText(text, "plain", "utf-8"))
    pdf = MIMEApplication(item.pdf, "pdf")
    pdf.add_header("Content-Disposition", "attachment", filename=item.filename)
    msg.attach(pdf)
    return msg


def send_certificates(
    session: Session,
    event: Event,
    attachments: list[CertificateAttachment],
    transport: Transport,
    *,
    sender: str,
    now: datetime,
    commit: Callable[[], None],
) -> SendOutcome:
    """Mail each certificate once (see module doc); ``commit`` makes each intent durable."""
    rows = record_certificates(session, event, attachments, now)
    commit()
    domain = parseaddr(sender)[1].rpartition("@")[2] or "orchestrator.invalid"
    outcome = SendOutcome()
    transport.open()
    try:
        for item in attachments:
            row = rows[item.person_id]
            if row.state == CertificateState.SENT:
                outcome.already_sent.append(item.email)
                continue
            if row.state == CertificateState.SENDING:
                outcome.unresolved.append(item.email)
                continue
            row.state = CertificateState.SENDING
            row.message_id = f"<certificate-{event.key}-{item.person_id}@{domain}>"
            commit()
            msg = certificate_message(item, event=event, sender=sender, message_id=row.message_id, date=now)
            try:
                transport.send(msg)
            except TransportError as exc:
                row.state = CertificateState.FAILED
                row.error = exc.reason[:2000]
                outcome.failed[item.email] = exc.reason
            else:
                row.state = CertificateState.SENT
                row.sent_at = now
                row.error = None
                outcome.sent.append(item.email)
            commit()
    finally:
        transport.close()
    return outcome
