"""Rendering: every kind in de and en, dates, escaping, overrides, strict templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orchestrator.mail import (
    MAIL_KINDS,
    EventInfo,
    HeaderInjection,
    MailRenderer,
    Occasion,
    Recipient,
    TemplateProblem,
)

from .conftest import JOIN_DE, JOIN_EN

BREAKOUT = Occasion(
    breakout_round=1,
    breakout_room="Wohnen & Quartier",
    round_title="Praxis-Werkstätten",
    round_start_utc=datetime(2025, 8, 27, 10, 0, tzinfo=UTC),
    round_end_utc=datetime(2025, 8, 27, 11, 0, tzinfo=UTC),
    room_moderators=("Ayşe Demir", "Jonas Berg"),
)
OCCASIONS = {
    "confirmation": Occasion(),
    "reminder": Occasion(reminder_offset=timedelta(days=1)),
    "breakout_room": BREAKOUT,
    "thank_you": Occasion(),
}

KEY_PHRASES = {
    ("de", "confirmation"): [
        "Anmeldebestätigung",
        "bestätigen wir Ihre Teilnahme",
        "Referent:innen",
        "Teilnehmende",
    ],
    ("de", "reminder"): ["Erinnerung", "beginnt in 1 Tag"],
    ("de", "breakout_room"): ["Breakout-Raum", "Wohnen & Quartier", "aus der Liste", "12:00–13:00 Uhr"],
    ("de", "thank_you"): ["Vielen Dank für Ihre Teilnahme", "Referent:innen und Teilnehmenden"],
    ("en", "confirmation"): ["Registration confirmed", "confirm your place"],
    ("en", "reminder"): ["Reminder", "starts in 1 day"],
    ("en", "breakout_room"): ["breakout room", "Wohnen & Quartier", "from the list", "12:00–13:00"],
    ("en", "thank_you"): ["Thank you for taking part"],
}


def _person(lang: str, person_de: Recipient, person_en: Recipient) -> Recipient:
    return person_de if lang == "de" else person_en


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_every_kind_renders_in_both_languages(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, person_en: Recipient, kind: str, lang: str
) -> None:
    person = _person(lang, person_de, person_en)
    mail = renderer.render(kind, event, person, OCCASIONS[kind])

    assert mail.language == lang and mail.kind == kind
    both = mail.subject + "\n" + mail.text
    for phrase in KEY_PHRASES[(lang, kind)]:
        assert phrase in both, phrase
    # salutation without guessing gender, organiser contact in every mail
    greeting = "Guten Tag Elif Fuß," if lang == "de" else "Dear Sam Taylor,"
    assert mail.text.startswith(greeting)
    assert greeting in mail.html
    for part in (mail.text, mail.html):
        assert "info@forum-seniorenarbeit.de" in part
        assert "030 / 221 8298 – 38" in part and "030 / 221 8298 – 42" in part
    assert f'<html lang="{lang}">' in mail.html and "<main" in mail.html and "<h1" in mail.html

    join = JOIN_DE if lang == "de" else JOIN_EN
    html_join = join.replace("&", "&amp;")
    # every mail carries the personal link and the calendar entry (same UID: an update, not a duplicate)
    assert join in mail.text
    assert f'<a href="{html_join}"' in mail.html
    # the URL is also written out for readers that do not follow links
    assert mail.html.count(html_join) == 2
    assert mail.ics is not None


def test_join_block_wording_de(renderer: MailRenderer, event: EventInfo, person_de: Recipient) -> None:
    mail = renderer.render("confirmation", event, person_de)
    assert ">Zum Zoom-Meeting beitreten</a>" in mail.html
    for part in (mail.text, mail.html):
        assert "Dieser Link gilt nur für Sie persönlich. Bitte leiten Sie ihn nicht weiter." in part
        assert "Sie benötigen kein Zoom-Konto" in part
        assert "Über den Browser beitreten" in part


def test_join_block_wording_en(renderer: MailRenderer, event: EventInfo, person_en: Recipient) -> None:
    mail = renderer.render("reminder", event, person_en, OCCASIONS["reminder"])
    assert ">Join the Zoom meeting</a>" in mail.html
    assert "this link is for you personally. Please do not forward it." in mail.text
    assert "You do not need a Zoom account" in mail.html


def test_dates_are_formatted_with_babel_in_event_timezone(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient, person_en: Recipient
) -> None:
    de = renderer.render("reminder", event, person_de, OCCASIONS["reminder"])
    en = renderer.render("reminder", event, person_en, OCCASIONS["reminder"])
    assert "Mittwoch, 27. August 2025, 09:30 Uhr" in de.text
    assert "Mittwoch, 27. August 2025, 09:30 Uhr" in de.html
    assert "Uhrzeit: 09:30–14:15 Uhr" in de.text
    assert "Wednesday, 27 August 2025, 09:30" in en.text
    assert "Time: 09:30–14:15" in en.text


def test_ampersand_plain_in_text_escaped_in_html(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    mail = renderer.render("confirmation", event, person_de)
    assert "Miteinander sorgen & gemeinsam wirken" in mail.text
    assert "&amp;" not in mail.text
    assert "Miteinander sorgen &amp; gemeinsam wirken" in mail.html
    assert "sorgen & gemeinsam" not in mail.html
    assert "&" in mail.subject and "&amp;" not in mail.subject


def test_html_escapes_participant_data(renderer: MailRenderer, event: EventInfo) -> None:
    person = Recipient(
        "x@example.org", "<script>alert(1)</script>", "O'Neil", "de", "https://zoom.us/w/1?a=1"
    )
    mail = renderer.render("confirmation", event, person)
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<script>alert(1)</script>" in mail.text  # text is not HTML: no escaping there


def test_logo_has_alt_text(clock: object, event: EventInfo, person_de: Recipient) -> None:
    mail = MailRenderer(logo_url="https://example.org/logo.png").render("confirmation", event, person_de)
    assert '<img src="https://example.org/logo.png" alt="Logo: Forum Seniorenarbeit NRW"' in mail.html
    without = MailRenderer().render("confirmation", event, person_de)
    assert "<img" not in without.html


def test_missing_join_link_says_it_follows(renderer: MailRenderer, event: EventInfo) -> None:
    person = Recipient("x@example.org", "Kim", "Lee", "de", None)
    mail = renderer.render("confirmation", event, person)
    assert "Ihren persönlichen Zugangslink erhalten Sie in einer gesonderten E-Mail." in mail.text
    assert "Zum Zoom-Meeting beitreten" not in mail.html


def test_override_directory_wins(tmp_path: Path, event: EventInfo, person_de: Recipient) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "confirmation.subject.j2").write_text("Eigener Betreff: {{ event.title }}\n", "utf-8")
    (tmp_path / "de" / "layout.txt.j2").write_text(
        "Hallo {{ recipient.first_name }}!\n{% block intro %}{% endblock %}\nLink: {{ join_url }}\n", "utf-8"
    )
    mail = MailRenderer(template_dir_override=tmp_path).render("confirmation", event, person_de)
    assert mail.subject == "Eigener Betreff: Caring Community: Miteinander sorgen & gemeinsam wirken"
    assert mail.text.startswith("Hallo Elif!\n")
    assert f"Link: {JOIN_DE}" in mail.text
    # files not overridden still come from the package
    assert "Zum Zoom-Meeting beitreten" in mail.html


def test_override_directory_must_exist(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match="does not exist"):
        MailRenderer(template_dir_override=tmp_path / "missing")


def test_strict_undefined_reports_missing_value(
    tmp_path: Path, event: EventInfo, person_de: Recipient
) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "confirmation.html.j2").write_text("<p>{{ event.venue }}</p>", "utf-8")
    with pytest.raises(TemplateProblem, match=r"confirmation\.html\.j2 uses an unknown value") as info:
        MailRenderer(template_dir_override=tmp_path).render("confirmation", event, person_de)
    assert "venue" in str(info.value)


def test_template_syntax_error_names_file_and_line(
    tmp_path: Path, event: EventInfo, person_de: Recipient
) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "confirmation.txt.j2").write_text("ok\n{% if %}\n", "utf-8")
    with pytest.raises(TemplateProblem, match=r"confirmation\.txt\.j2, line 2"):
        MailRenderer(template_dir_override=tmp_path).render("confirmation", event, person_de)


def test_unknown_kind_and_missing_occasion_data(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    with pytest.raises(TemplateProblem, match="Unknown mail kind certificate"):
        renderer.render("certificate", event, person_de)
    with pytest.raises(TemplateProblem, match="reminder offset"):
        renderer.render("reminder", event, person_de)
    with pytest.raises(TemplateProblem, match="room name"):
        renderer.render("breakout_room", event, person_de, Occasion(breakout_room="A"))


@pytest.mark.parametrize(
    ("first", "last", "email"),
    [
        ("Eva\r\nBcc: victim@example.net", "Muster", "eva@example.org"),
        ("Eva", "Muster\nX-Spam: 1", "eva@example.org"),
        ("Eva", "Muster", "eva@example.org\r\nBcc: victim@example.net"),
    ],
)
def test_line_breaks_in_header_values_refused_at_render_time(
    renderer: MailRenderer, event: EventInfo, first: str, last: str, email: str
) -> None:
    person = Recipient(email, first, last, "de", "https://zoom.us/w/1?tk=x")
    with pytest.raises(HeaderInjection, match="line break"):
        renderer.render("confirmation", event, person)


def test_line_break_in_subject_refused(
    renderer: MailRenderer, event: EventInfo, person_de: Recipient
) -> None:
    broken = EventInfo(**{**event.__dict__, "title": "Fachtag\r\nBcc: victim@example.net"})
    with pytest.raises(HeaderInjection, match="Subject"):
        renderer.render("confirmation", broken, person_de)


def test_reprs_hide_join_links(renderer: MailRenderer, event: EventInfo, person_de: Recipient) -> None:
    mail = renderer.render("confirmation", event, person_de)
    assert "SECRET" not in repr(mail)
    assert "SECRET" not in repr(person_de)
