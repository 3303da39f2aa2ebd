"""The organiser's whole day in headless Chromium, only through the browser.

Log in → a new event from the sample → a broken time in the agenda form is shown next to its field,
fixed and saved → the Zoom page previews, then creates the meeting in the emulator → the registration
export is uploaded and synced → the reminder is previewed in English (no join link) → "Testmail an
mich" arrives at an aiosmtpd server → the breakout rooms are planned → one person is moved → "Der
Tag" advances by itself while the test moves the server's clock and the mail job sends what is due.

Every organiser page is checked with axe-core (no serious or critical violation); the agenda form
and the move are used by keyboard alone. Screenshots (``organiser-*.png``) go to
ORCHESTRATOR_SCREENSHOT_DIR (``docs/screenshots`` for the repository) or the test's temporary
directory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from orchestrator.app import App
from orchestrator.clock import FrozenClock
from orchestrator.db import migrate
from orchestrator.db.models import BreakoutAssignment, BreakoutRoundRecord, Event, Person, ZoomRegistration
from orchestrator.jobs import mail as mail_job
from orchestrator.settings import Settings
from orchestrator.web.serve import serve_http
from orchestrator.web.ui import create_ui_app
from orchestrator.zoom.emulator import EmulatorApp, EmulatorConfig, EmulatorState, Faults
from tests.browser.conftest import VIEWPORT
from tests.browser.test_web_ui_browser import check_accessibility, tab_to
from tests.conftest import FIXTURE_CSV
from tests.integration.test_web_ui_support import ORGANISER, PASSWORD, add_account
from tests.support.smtp_servers import RunningServer, smtp_server
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KEY = "fachtag-herbst"
TITLE = "Fachtag Sorgekultur im Herbst"
EVENT_DATE = "2025-09-10"
# Six weeks before the event (server time; the organiser's own clock does not matter).
START = datetime(2025, 7, 30, 8, 0, tzinfo=UTC)
# The morning before the event, 09:00 Berlin; the "1 day before" reminder is due at 09:30.
DAY_BEFORE = datetime(2025, 9, 9, 7, 0, tzinfo=UTC)
# Der Tag polls every 5 s; one poll after the change must show it.
POLL_WAIT_MS = 20_000


@dataclass
class Organiser:
    """The served app, its controllable clock and the SMTP server its mails go to."""

    runtime: App
    clock: FrozenClock
    base_url: str
    smtp: RunningServer

    def url(self, path: str) -> str:
        return self.base_url + path


def _runtime(tmp_path: Path, smtp: RunningServer, clock: FrozenClock) -> App:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = Settings(
        database_url=database_url,
        zoom="emulator",
        zoom_emulator_state=tmp_path / "zoom-emulator.json",
        mail_transport="smtp",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_security="none",
        smtp_timeout_seconds=10,
        _env_file=None,
    )
    emulator = EmulatorApp(
        EmulatorState(), EmulatorConfig(enforce_rate_limits=False), Faults(), clock, sleep=clock.sleep
    )
    migrate.upgrade(database_url)
    return App(settings, clock=clock, emulator_app=emulator)


@pytest.fixture
def organiser(tmp_path: Path) -> Iterator[Organiser]:
    """An empty store (no event yet), one organiser account, the app on a loopback port."""
    clock = FrozenClock(START)
    with smtp_server() as smtp:
        rt = _runtime(tmp_path, smtp, clock)
        add_account(rt, ORGANISER, "organiser")
        stop = threading.Event()
        app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
        server = serve_http(app, "127.0.0.1", 0, stop)
        try:
            yield Organiser(rt, clock, f"http://127.0.0.1:{server.port}", smtp)
        finally:
            stop.set()
            server.stop()
            rt.close()


@pytest.fixture
def organiser_page(browser: Any) -> Iterator[Any]:
    """A fresh German browser tab that records script errors (``page`` would start another app)."""
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    try:
        yield page
    finally:
        context.close()


class Walk:
    """The browser page plus the checks every organiser page gets (axe-core, screenshot)."""

    def __init__(self, page: Any, org: Organiser, axe_source: str, screenshots: Path) -> None:
        self.page = page
        self.org = org
        self.axe_source = axe_source
        self.screenshots = screenshots
        self.checked: list[str] = []

    def check(self, name: str, *, screenshot: bool = True) -> None:
        """No serious or critical axe violation on the page; German ``lang``; screenshot it."""
        assert self.page.locator("html").get_attribute("lang") == "de", name
        violations = check_accessibility(self.page, self.axe_source)
        assert violations == [], f"{name}: {violations}"
        self.checked.append(name)
        if screenshot:
            self.page.screenshot(path=str(self.screenshots / f"organiser-{name}.png"), full_page=True)

    def flash(self, text: str) -> None:
        self.page.locator(".message").filter(has_text=text).first.wait_for()


def _mails_to(smtp: RunningServer, address: str) -> list[Message]:
    return [m.parsed() for m in list(smtp.messages) if address in m.rcpt_tos]


def _join_urls_in(org: Organiser, text: str) -> list[str]:
    """The participants' personal join links (from the store) that occur in ``text``."""
    with org.runtime.session() as session:
        links = session.scalars(
            select(ZoomRegistration.join_url).where(ZoomRegistration.join_url.is_not(None))
        )
        found = [link for link in links if link and link in text]
    return found


def _text_of(message: Message) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    payload = parts[0].get_payload(decode=True) if parts else b""
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_the_organisers_day(
    organiser_page: Any, organiser: Organiser, axe_source: str, screenshot_dir: Path
) -> None:
    page, org = organiser_page, organiser
    walk = Walk(page, org, axe_source, screenshot_dir)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    _log_in(walk)
    assert page.get_by_text("Es gibt noch keine Veranstaltung.", exact=False).is_visible()
    _new_event_from_the_sample(walk)
    _agenda_with_a_broken_time(walk)
    _create_the_meeting(walk)
    _import_and_sync(walk)
    _reminder_in_english_and_test_mail(walk)
    _plan_and_move(walk)
    _the_day(walk)
    _events_list(walk)

    assert sorted(set(walk.checked)) == sorted(
        [
            "events",
            "new-event",
            "agenda",
            "agenda-problem",
            "zoom",
            "dashboard",
            "mails",
            "breakouts",
            "people",
            "person",
            "console",
            "day",
        ]
    )
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []
    assert failed == []


def _log_in(walk: Walk, then: str = "/events") -> None:
    page, org = walk.page, walk.org
    if "/login" not in page.url:
        page.goto(org.url("/login"))
    page.locator("input[name=email]").fill(ORGANISER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(org.url(then))


def _new_event_from_the_sample(walk: Walk) -> None:
    page, org = walk.page, walk.org
    page.get_by_role("link", name="Neue Veranstaltung").click()
    page.wait_for_url(org.url("/new-event"))
    walk.check("new-event")
    page.get_by_label("Schlüssel").fill(KEY)
    page.locator("#sample-title").fill(TITLE)
    page.locator("#sample-date").fill(EVENT_DATE)
    page.locator("#sample").get_by_role("button", name="Veranstaltung anlegen").click()
    page.wait_for_url(org.url(f"/events/{KEY}/agenda"))
    walk.flash(f"Die Veranstaltung {KEY} wurde angelegt")
    assert page.locator("#f-title").input_value() == TITLE
    assert page.locator("#f-date").input_value() == EVENT_DATE
    walk.check("agenda")


def _agenda_with_a_broken_time(walk: Walk) -> None:
    """By keyboard: the first block ends before it starts; the problem shows at the field."""
    page, org = walk.page, walk.org
    assert page.locator("#f-blocks-0-start").input_value() == "09:30"
    page.locator("h1").click()  # start tabbing from the top of the page's content
    tab_to(page, "f-blocks-0-end")
    page.keyboard.press("Control+a")
    page.keyboard.type("09:15")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-blocks-0-title"
    page.keyboard.press("Control+a")
    page.keyboard.type("Begrüßung und Einführung")
    page.keyboard.press("Enter")  # submits the form: "Änderungen speichern"
    problem = page.locator("#f-blocks-0-end-problem")
    problem.wait_for()
    assert page.locator("#f-blocks-0-end").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-blocks-0-end").get_attribute("aria-describedby") == "f-blocks-0-end-problem"
    assert page.locator("#f-blocks-0-end").input_value() == "09:15"  # what was typed stays
    assert page.locator("#f-blocks-0-title").input_value() == "Begrüßung und Einführung"
    walk.check("agenda-problem")
    with org.runtime.session() as session:  # nothing was saved while the problem remains
        event = session.scalars(select(Event).where(Event.key == KEY)).one()
        assert event.title == TITLE

    page.locator("#f-blocks-0-end").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("09:45")
    page.keyboard.press("Enter")
    walk.flash("Version 2 des Programms wurde gespeichert")
    assert page.locator(".field-problem").count() == 0
    assert page.locator("#f-blocks-0-end").input_value() == "09:45"
    assert page.locator("#f-blocks-0-title").input_value() == "Begrüßung und Einführung"
    assert "Begrüßung und Einführung" in page.locator("#agenda-source").input_value()


def _create_the_meeting(walk: Walk) -> None:
    page, org = walk.page, walk.org
    page.locator("nav.event-nav").get_by_role("link", name="Zoom").click()
    page.wait_for_url(org.url(f"/events/{KEY}/zoom"))
    page.locator("#setup").get_by_role("button", name="Meeting anlegen").click()
    page.locator("#plan").wait_for()
    page.get_by_role("button", name="Meeting jetzt anlegen").click()
    page.locator("#meeting").get_by_role("link", name="Meeting als Host starten").wait_for()
    walk.check("zoom")
    registration = page.locator("#meeting dd a").first.get_attribute("href")
    assert registration and registration.startswith("http")


def _import_and_sync(walk: Walk) -> None:
    page, org = walk.page, walk.org
    page.locator("nav.event-nav").get_by_role("link", name="Übersicht").click()
    page.wait_for_url(org.url(f"/events/{KEY}"))
    page.get_by_label("Export des Anmeldeformulars").set_input_files(str(FIXTURE_CSV))
    page.get_by_role("button", name="Importieren").click()
    page.locator("#import-report, .message-error").first.wait_for()
    assert page.locator(".message-error").count() == 0, page.locator(".message-error").inner_text()
    page.get_by_role("button", name="Jetzt mit Zoom abgleichen").click()
    walk.flash("Abgleich mit Zoom erledigt")
    walk.check("dashboard")
    with org.runtime.session() as session:
        event = session.scalars(select(Event).where(Event.key == KEY)).one()
        registered = session.scalars(
            select(ZoomRegistration.id)
            .join(Person)
            .where(Person.event_id == event.id, ZoomRegistration.join_url.is_not(None))
        ).all()
    assert len(registered) == 235  # so the checks for join links below have links to look for
    sent = mail_job.run(org.runtime, KEY)  # the service's dispatcher: the confirmations go out
    assert sent.sent_by_occasion == {"confirmation": 235}, sent


def _reminder_in_english_and_test_mail(walk: Walk) -> None:
    page, org = walk.page, walk.org
    page.locator("nav.event-nav").get_by_role("link", name="Mails").click()
    page.wait_for_url(org.url(f"/events/{KEY}/mails"))
    walk.check("mails", screenshot=False)
    page.locator("#mail-choice").select_option("reminder:1d")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**lang=en**")
    text = page.locator("pre.mail-text").inner_text()
    subject = page.locator("#preview dd").nth(1).inner_text()
    assert "Reminder" in subject or "tomorrow" in text.lower(), subject
    assert "Sie " not in text and "Ihr " not in text  # English, not German
    frame_text = page.frame_locator("iframe.mail-frame").locator("body").inner_text()
    assert "(personal link)" in text and "(personal link)" in frame_text  # a placeholder, no link
    assert not _join_urls_in(org, page.content() + frame_text)
    walk.check("mails")

    page.get_by_role("button", name="Testmail an mich").click()
    walk.flash(f"Testmail an {ORGANISER} gesendet")
    wait_for(lambda: _mails_to(org.smtp, ORGANISER) != [], 10, "the test mail at the SMTP server")
    mail = _mails_to(org.smtp, ORGANISER)[0]
    assert mail["Subject"] == f"[Test] {subject}"
    assert not _join_urls_in(org, _text_of(mail))


def _plan_and_move(walk: Walk) -> None:
    """Plan all rounds, then move one person to another room of round 1 (keyboard only)."""
    page, org = walk.page, walk.org
    page.locator("nav.event-nav").get_by_role("link", name="Breakout-Räume").click()
    page.wait_for_url(org.url(f"/events/{KEY}/breakouts"))
    page.locator("#actions").get_by_role("button", name="Neu planen").click()
    page.locator(".message-ok").first.wait_for()
    walk.check("breakouts")

    with org.runtime.session() as session:
        round_one = session.scalars(
            select(BreakoutRoundRecord).join(Event).where(Event.key == KEY, BreakoutRoundRecord.number == 1)
        ).one()
        assignment = session.scalars(
            select(BreakoutAssignment)
            .where(BreakoutAssignment.round_id == round_one.id)
            .order_by(BreakoutAssignment.person_id)
        ).first()
        assert assignment is not None
        person = session.get(Person, assignment.person_id)
        assert person is not None
        person_id, email, before = person.id, person.email, assignment.room_name
        name = f"{person.first_name} {person.last_name}"

    page.locator("nav.event-nav").get_by_role("link", name="Personen").click()
    page.wait_for_url(org.url(f"/events/{KEY}/people"))
    walk.check("people")
    page.locator("#people-q").fill(email)
    page.keyboard.press("Enter")
    page.wait_for_url("**q=**")
    page.get_by_role("link", name=name).click()
    page.wait_for_url(org.url(f"/events/{KEY}/people/{person_id}"))
    assert not _join_urls_in(org, page.content())
    walk.check("person", screenshot=False)
    page.locator("h1").click()
    tab_to(page, "move-room-1")
    options = page.locator("#move-room-1 option").all_inner_texts()
    at = options.index(before)
    target = options[at + 1] if at + 1 < len(options) else options[at - 1]
    page.keyboard.press("ArrowDown" if at + 1 < len(options) else "ArrowUp")
    assert page.locator("#move-room-1").input_value() == target
    tab_to(page, "move-force-1")
    page.keyboard.press("Tab")  # the "Verschieben" button
    page.keyboard.press("Enter")
    page.get_by_text(f"von {before} nach {target} verschoben", exact=False).wait_for()
    walk.check("person")
    with org.runtime.session() as session:
        moved = session.scalars(
            select(BreakoutAssignment.room_name).where(
                BreakoutAssignment.person_id == person_id, BreakoutAssignment.round_id == round_one.id
            )
        ).one()
    assert moved == target


def _the_day(walk: Walk) -> None:
    """The morning before the event: the timeline advances by itself on a sped-up clock.

    The test plays the service: it moves the server's clock and runs the mail job; the page,
    left alone, shows what went out without being reloaded.
    """
    page, org = walk.page, walk.org
    page.locator("nav.event-nav").get_by_role("link", name="Moderationskonsole").click()
    page.wait_for_url(org.url(f"/events/{KEY}/console"))
    walk.check("console")

    # A week before the event the service sent the first reminder.
    org.clock.set(DAY_BEFORE - timedelta(days=6, minutes=-40))
    assert mail_job.run(org.runtime, KEY).sent_by_occasion == {"reminder:7d": 235}
    # The morning before the event: the session of July has long expired, the organiser logs in again.
    org.clock.set(DAY_BEFORE)
    page.goto(org.url(f"/events/{KEY}/day"))
    page.wait_for_url("**/login**")
    _log_in(walk, then=f"/events/{KEY}/day")
    timeline, upcoming = page.locator("#day-timeline"), page.locator("#day-next")
    assert timeline.get_by_text("Anmeldebestätigung an 235 Teilnehmende").is_visible()
    assert timeline.get_by_text("Erinnerung (1 Woche) an 235 Teilnehmende").is_visible()
    assert upcoming.get_by_text("Fällig: Erinnerung (1d vorher)").is_visible()
    assert timeline.get_by_text("Erinnerung (1 Tag)", exact=False).count() == 0
    assert page.locator("#day-updated").inner_text() == "Stand 09:00"
    walk.check("day", screenshot=False)

    org.clock.advance(timedelta(minutes=20))  # 09:20: nothing is due yet, the time moves on
    assert mail_job.run(org.runtime, KEY).sent == 0
    page.locator("#day-updated").filter(has_text="Stand 09:20").wait_for(timeout=POLL_WAIT_MS)
    assert timeline.get_by_text("Erinnerung (1 Tag)", exact=False).count() == 0
    org.clock.advance(timedelta(minutes=20))  # 09:40: the reminder goes out
    result = mail_job.run(org.runtime, KEY)
    assert result.sent_by_occasion == {"reminder:1d": 235}, result
    timeline.get_by_text("Erinnerung (1 Tag) an 235 Teilnehmende").wait_for(timeout=POLL_WAIT_MS)
    assert page.locator("#day-updated").inner_text() == "Stand 09:40"
    assert upcoming.get_by_text("Fällig: Erinnerung (1d vorher)").count() == 0
    page.screenshot(path=str(walk.screenshots / "organiser-day.png"), full_page=True)
    assert check_accessibility(page, walk.axe_source) == []  # the swapped-in sections as well
    assert len(org.smtp.messages) == 1 + 3 * 235  # test mail, confirmations, two reminders


def _events_list(walk: Walk) -> None:
    """A second event copied from the first: the list of events shows both."""
    page, org = walk.page, walk.org
    page.goto(org.url("/new-event"))
    page.locator("#copy-source").select_option(KEY)
    page.locator("#copy-key").fill("fachtag-winter")
    page.locator("#copy-date").fill("2025-12-03")
    page.get_by_role("button", name="Veranstaltung kopieren").click()
    page.wait_for_url(org.url("/events/fachtag-winter/agenda"))
    page.goto(org.url("/events"))
    assert page.get_by_role("link", name=TITLE).count() == 2
    walk.check("events")
