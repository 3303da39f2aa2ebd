"""The composition root: the one place that reads settings and builds the collaborators.

``App`` turns :class:`~orchestrator.settings.Settings` into the store, the Zoom client (real Zoom
or the built-in emulator), the clock and the mail transports. The entry points (CLI commands,
``orchestrator run`` with its scheduler jobs and web app, the demo) build one ``App`` and hand
each use case the collaborators it needs; the domain packages never import this module or the
settings. Tests build an ``App`` through its constructor (an in-memory emulator, a frozen clock,
a ready Zoom client) instead of patching attributes.

Nothing connects at import or construction time: every collaborator is built on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.clock import Clock, SystemClock
from orchestrator.db.store import Store
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.logsafety import register_secret
from orchestrator.settings import Settings

if TYPE_CHECKING:
    from orchestrator.mail.plan_memo import PlanMemo
    from orchestrator.mail.render_pool import RenderPool
    from orchestrator.mail.service import MailOptions
    from orchestrator.mail.transports import Transport
    from orchestrator.zoom.client import ZoomClient
    from orchestrator.zoom.emulator import EmulatorApp

EMULATOR_CREDENTIALS = ("emulator-account", "emulator-client", "emulator-secret")


def load_settings() -> Settings:
    """Read settings from the environment and .env, turning mistakes into a clear message."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            f"ORCHESTRATOR_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        ]
        raise BadInput(_("Some settings are invalid:"), details=problems) from None


@dataclass
class App:
    """Everything an entry point needs, built lazily from ``settings``."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    # Tests (and the demo) may hand in an emulator app to inspect what Zoom received …
    emulator_app: EmulatorApp | None = None
    # … or a ready Zoom client (e.g. one talking to an emulator through ``responses``).
    zoom_client: ZoomClient | None = None

    def __post_init__(self) -> None:
        for secret in (
            self.settings.zoom_client_secret,
            self.settings.smtp_password,
            self.settings.zoom_webhook_secret,
            self.settings.session_secret,
            self.settings.zoom_app_client_secret,
        ):
            if secret is not None:
                register_secret(secret.get_secret_value())

    @classmethod
    def from_environment(cls) -> App:
        """The app for ``ORCHESTRATOR_*`` variables and ``.env`` (the CLI's entry point)."""
        return cls(load_settings())

    # --- the store -----------------------------------------------------------------------------

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.database_url)

    @property
    def engine(self) -> Engine:
        return self.store.engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.store.sessions

    def require_current_schema(self) -> None:
        self.store.require_current_schema()

    def session(self) -> AbstractContextManager[Session]:
        """A session for one command; the command commits (or the context rolls back)."""
        return self.store.session()

    # --- Zoom ----------------------------------------------------------------------------------

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
        if self.zoom_client is not None:
            return self.zoom_client
        import requests
        from pydantic import SecretStr

        from orchestrator.zoom.client import ZoomClient
        from orchestrator.zoom.http import RetryPolicy, ZoomHttp
        from orchestrator.zoom.oauth import TokenProvider
        from orchestrator.zoom.ratelimit import DailyLimits, ZoomRateLimiter

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
        # Zoom's per-user and per-registrant daily limits are counted here, before Zoom would refuse.
        return ZoomClient(http, DailyLimits(self.clock))

    # --- mail ----------------------------------------------------------------------------------

    def mail_transport_factory(self) -> Callable[[], Transport]:
        """A factory of mail transports (one per send worker): SMTP or the .eml directory."""
        from orchestrator.mail.transports import EmlDirectoryTransport, SmtpTransport

        settings = self.settings
        if settings.mail_transport == "eml":
            directory, fsync = settings.mail_eml_dir, settings.mail_eml_fsync
            return lambda: EmlDirectoryTransport(directory, fsync=fsync)
        return lambda: SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout_seconds,
        )

    @cached_property
    def plan_memo(self) -> PlanMemo:
        """The memo of the latest outbox plan per event: a pass with nothing new skips planning."""
        from orchestrator.mail.plan_memo import PlanMemo

        return PlanMemo()

    @cached_property
    def mail_render_pool(self) -> RenderPool | None:
        """Processes that render mails for the send threads (``ORCHESTRATOR_MAIL_RENDER_PROCESSES``)."""
        processes = self.settings.mail_render_processes
        if processes == 0:
            return None
        from orchestrator.mail.render_pool import RendererSpec, RenderPool

        spec = RendererSpec(self.settings.mail_template_dir, self.settings.mail_logo_url)
        return RenderPool(spec, processes)

    def mail_options(self) -> MailOptions:
        """The mail settings (``ORCHESTRATOR_MAIL_*``) as the mail service's options."""
        from orchestrator.mail.dispatch_config import DispatchConfig
        from orchestrator.mail.service import MailOptions

        settings = self.settings
        return MailOptions(
            dispatch=DispatchConfig(
                sender=settings.mail_from,
                reply_to=settings.mail_reply_to or None,
                workers=settings.mail_workers,
                max_unconfirmed=settings.mail_max_unconfirmed,
                rate_per_minute=settings.mail_rate_per_minute,
                lease=timedelta(seconds=settings.mail_lease_seconds),
                batch_size=settings.mail_batch_size,
                max_attempts=settings.mail_max_attempts,
                message_id_domain=settings.mail_message_id_domain or None,
            ),
            template_dir=settings.mail_template_dir,
            logo_url=settings.mail_logo_url,
        )

    def close(self) -> None:
        """Release what was built (pooled store connections, render processes)."""
        if "store" in self.__dict__:
            self.store.close()
        pool = self.__dict__.pop("mail_render_pool", None)
        if pool is not None:
            pool.close()


__all__ = ["EMULATOR_CREDENTIALS", "App", "load_settings"]
