"""``orchestrator demo --serve``: the rehearsed event in the browser (organiser pages, Zoom App rehearsal).

The demo's own store and emulated Zoom are served on ``127.0.0.1`` only, without the scheduler
(nothing is sent: the rehearsed day already happened on its virtual clock). A demo organiser
account gets a fresh random password on every start, shown once in the terminal that started it.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.app import App
from orchestrator.clock import SystemClock
from orchestrator.db.models import UserRole
from orchestrator.demo import DemoPaths, demo_settings
from orchestrator.errors import BadInput
from orchestrator.i18n import _

DEMO_ORGANISER = "organisation@demo.invalid"
DEMO_HOST = "127.0.0.1"


@dataclass(frozen=True)
class DemoLogin:
    """Where the demo is served and how to log in (the password is valid until the next start)."""

    url: str
    email: str
    password: str


def _demo_organiser(rt: App) -> str:
    """Create the demo organiser or give it a new password; return the password."""
    from orchestrator.web.ui.accounts import create_user, find_user, set_password

    password = secrets.token_urlsafe(12)
    with rt.session() as session:
        if find_user(session, DEMO_ORGANISER) is None:
            create_user(session, DEMO_ORGANISER, password, UserRole.ORGANISER, None)
        else:
            set_password(session, DEMO_ORGANISER, password)
        session.commit()
    return password


def serve_demo(
    paths: DemoPaths, port: int, on_ready: Callable[[DemoLogin], None], stop: threading.Event
) -> None:
    """Serve the demo in ``paths`` until ``stop`` is set; ``on_ready`` gets the address and login."""
    from orchestrator.web.serve import HttpServer
    from orchestrator.web.ui import create_ui_app

    if not paths.database.exists():
        raise BadInput(_("There is no demo in {dir} yet: run orchestrator demo first.", dir=str(paths.root)))
    rt = App(demo_settings(paths), clock=SystemClock())
    try:
        rt.require_current_schema()
        password = _demo_organiser(rt)
        server = HttpServer(
            create_ui_app(rt, secure_cookies=False, process_in_background=False), DEMO_HOST, port
        )
        server.start()
        try:
            on_ready(DemoLogin(f"http://{DEMO_HOST}:{server.port}", DEMO_ORGANISER, password))
            while not stop.wait(0.5):  # short waits keep Ctrl-C responsive in the main thread
                pass
        finally:
            server.stop()
    finally:
        rt.close()
