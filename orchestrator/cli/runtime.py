"""Wiring: the one place that turns settings into collaborators (store, Zoom client, clock)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import requests
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.clock import Clock, SystemClock
from orchestrator.db.migrate import current_revision, head_revision
from orchestrator.db.session import make_engine, make_sessionmaker
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.logsafety import register_secret
from orchestrator.settings import Settings
from orchestrator.zoom.client import ZoomClient
from orchestrator.zoom.http import RetryPolicy, ZoomHttp
from orchestrator.zoom.oauth import TokenProvider
from orchestrator.zoom.ratelimit import ZoomRateLimiter

if TYPE_CHECKING:
    from orchestrator.mail.transports import Transport
    from orchestrator.zoom.emulator import EmulatorApp

EMULATOR_CREDENTIALS = ("emulator-account", "emulator-client", "emulator-secret")


@dataclass
class Runtime:
    """Everything a command needs, built lazily from ``settings``."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    # Tests (and the demo) may hand in an emulator app to inspect what Zoom received.
    emulator_app: EmulatorApp | None = None

    def __post_init__(self) -> None:
        self._schema_checked = False
        for secret in (
            self.settings.zoom_client_secret,
            self.settings.smtp_password,
            self.settings.zoom_webhook_secret,
            self.settings.session_secret,
        ):
            if secret is not None:
                register_secret(secret.get_secret_value())

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    def require_current_schema(self) -> None:
        """Refuse to work on a store that is missing or behind the code's migrations.

        Checked once per runtime: the long-running service opens a session for every job pass and
        web request, and reading the migration scripts each time would be wasted I/O.
        """
        if self._schema_checked:
            return
        if current_revision(self.engine) != head_revision(self.settings.database_url):
            raise BadInput(_("The store is not up to date. Run 'orchestrator db upgrade' first."))
        self._schema_checked = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one command; the command commits (or the context rolls back)."""
        self.require_current_schema()
        session = self.sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @cached_property
    def emulator(self) -> EmulatorApp:
        """The built-in Zoom emulator (with ``ORCHESTRATOR_ZOOM=emulator``), state in a file."""
        if self.emulator_app is None:
            from orchestrator.zoom.emulator import EmulatorApp, EmulatorConfig, EmulatorState

            self.emulator_app = EmulatorApp(
                EmulatorState(self.settings.zoom_emulator_state),
                EmulatorConfig(plan=self.settings.zoom_plan),
                clock=self.clock,
                sleep=self.clock.sleep,
            )
        return self.emulator_app

    @cached_property
    def zoom(self) -> ZoomClient:
        """The Zoom client: real Zoom, or the built-in emulator with ``ORCHESTRATOR_ZOOM=emulator``."""
        settings = self.settings
        http_session = requests.Session()
        if settings.zoom == "emulator":
            from orchestrator.zoom.emulator import EmulatorAdapter

            adapter = EmulatorAdapter(
                self.emulator, base_url=settings.zoom_api_url, oauth_url=settings.zoom_oauth_url
            )
            http_session.mount(settings.zoom_api_url, adapter)
            http_session.mount(settings.zoom_oauth_url, adapter)
            account_id, client_id, secret_text = EMULATOR_CREDENTIALS
            secret = SecretStr(secret_text)
        else:
            account_id, client_id, secret = settings.require_zoom_credentials()
        tokens = TokenProvider(
            account_id=account_id,
            client_id=client_id,
            client_secret=secret,
            oauth_url=settings.zoom_oauth_url,
            session=http_session,
            clock=self.clock,
        )
        http = ZoomHttp(
            base_url=settings.zoom_api_url,
            token_provider=tokens,
            limiter=ZoomRateLimiter(settings.zoom_plan, clock=self.clock),
            retry=RetryPolicy(),
            clock=self.clock,
            session=http_session,
            timeout=(5.0, settings.zoom_timeout_seconds),
        )
        return ZoomClient(http)

    def mail_transport_factory(self) -> Callable[[], Transport]:
        """A factory of mail transports (one per send worker): SMTP or the .eml directory."""
        from orchestrator.mail.transports import EmlDirectoryTransport, SmtpTransport

        settings = self.settings
        if settings.mail_transport == "eml":
            directory = settings.mail_eml_dir
            return lambda: EmlDirectoryTransport(directory)
        return lambda: SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout_seconds,
        )

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
