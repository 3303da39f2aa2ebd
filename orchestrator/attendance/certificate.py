"""The attendance certificate (Teilnahmebescheinigung) as a one-page A4 PDF (reportlab)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from orchestrator.i18n import translate

# DejaVu covers far more names (ł, ő, ş …) than reportlab's bundled Vera; Vera is the fallback.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"
_FONT_CANDIDATES = [
    (_DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"),
    (_VERA / "Vera.ttf", _VERA / "VeraBd.ttf"),
]


@dataclass(frozen=True)
class CertificateData:
    """What a certificate states."""

    name: str
    organisation: str | None
    event_title: str
    event_date: date
    minutes: int
    organiser: str
    issued_on: date
    language: str = "de"


@cache
def _fonts() -> tuple[str, str]:
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("CertRegular", str(regular)))
            pdfmetrics.registerFont(TTFont("CertBold", str(bold)))
            return "CertRegular", "CertBold"
    return "Helvetica", "Helvetica-Bold"


def duration_text(minutes: int, lang: str) -> str:
    """ "3 hours 25 minutes" in ``lang``."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return translate("{hours} h {minutes} min", lang, hours=hours, minutes=rest)
    if hours:
        return translate("{hours} h", lang, hours=hours)
    return translate("{minutes} min", lang, minutes=rest)


def _date(value: date, lang: str) -> str:
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


@dataclass(frozen=True)
class CertificateText:
    """The wording of one certificate, in the person's language."""

    title: str
    intro: str
    name: str
    organisation: str | None
    body: str
    place_date: str
    note: str


def certificate_text(data: CertificateData) -> CertificateText:
    """What the certificate says (separate from layout, so it can be checked without a PDF reader)."""
    lang = data.language
    return CertificateText(
        title=translate("Certificate of attendance", lang),
        intro=translate("This is to certify that", lang),
        name=data.name,
        organisation=data.organisation,
        body=translate(
            "attended the online event “{title}” of {organiser} on {date} for {duration} "
            "({minutes} minutes).",
            lang,
            title=data.event_title,
            organiser=data.organiser,
            date=_date(data.event_date, lang),
            duration=duration_text(data.minutes, lang),
            minutes=data.minutes,
        ),
        place_date=f"{data.organiser}, {_date(data.issued_on, lang)}",
        note=translate("This certificate was produced automatically and is valid without a signature.", lang),
    )


def render_certificate(data: CertificateData) -> bytes:
    """The PDF bytes of one certificate (A4, one page; ``invariant``: same input, same bytes)."""
    regular, bold = _fonts()
    text = certificate_text(data)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(text.title)
    canvas.setAuthor(data.organiser)
    width, height = A4
    left, text_width = 25 * mm, width - 50 * mm

    canvas.setFont(bold, 11)
    canvas.drawString(left, height - 30 * mm, data.organiser)
    canvas.setFont(bold, 26)
    canvas.drawCentredString(width / 2, height - 75 * mm, text.title)
    y = _paragraph(canvas, text.intro, regular, 12, left, height - 100 * mm, text_width)
    canvas.setFont(bold, 18)
    canvas.drawCentredString(width / 2, y - 6 * mm, text.name)
    y -= 12 * mm
    if text.organisation:
        canvas.setFont(regular, 12)
        canvas.drawCentredString(width / 2, y - 2 * mm, text.organisation)
        y -= 8 * mm
    _paragraph(canvas, text.body, regular, 12, left, y - 8 * mm, text_width)
    canvas.setFont(regular, 10)
    canvas.drawString(left, 40 * mm, text.place_date)
    _paragraph(canvas, text.note, regular, 9, left, 33 * mm, text_width)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _paragraph(canvas: Canvas, text: str, font: str, size: float, x: float, y: float, width: float) -> float:
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        y -= size * 1.45
        canvas.drawString(x, y, line)
    return y - size * 0.6


def write_certificate(job: tuple[CertificateData, Path]) -> Path:
    """Render one certificate into its file (what a worker process does; this module stays light)."""
    content, path = job
    path.write_bytes(render_certificate(content))
    return path
