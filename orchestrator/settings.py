"""Settings from the environment (prefix ``ORCHESTRATOR_``) and an optional ``.env`` file.

Only the CLI entry point constructs :class:`Settings`; services get plain values passed in.
Every setting is documented in ``config/.env.example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from orchestrator.errors import BadInput
from orchestrator.i18n import _

ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"
EMULATOR_STATE_FILE = ".orchestrator-zoom-emulator.json"


class Settings(BaseSettings):
    """All configuration of the orchestrator. Secrets are ``SecretStr`` and never printed."""

    model_config = SettingsConfigDict(
        env_prefix="ORCHESTRATOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Store
    database_url: str = Field(
        default="sqlite:///orchestrator.db",
        description="SQLAlchemy URL; SQLite file in the working directory by default.",
    )

    # Zoom
    zoom: Literal["real", "emulator"] = Field(
        default="real", description="'emulator' talks to the built-in Zoom emulator instead of Zoom."
    )
    zoom_account_id: str | None = None
    zoom_client_id: str | None = None
    zoom_client_secret: SecretStr | None = None
    zoom_api_url: str = ZOOM_API_URL
    zoom_oauth_url: str = ZOOM_OAUTH_URL
    zoom_plan: Literal["free", "pro", "business", "enterprise"] = "pro"
    zoom_host_user: str = "me"
    zoom_timeout_seconds: float = 30.0
    zoom_emulator_state: Path = Path(EMULATOR_STATE_FILE)
    zoom_webhook_secret: SecretStr | None = None
    # The host's Zoom App (breakout rooms for guests); disabled while the client secret is unset.
    zoom_app_client_id: str | None = None
    zoom_app_client_secret: SecretStr | None = None
    zoom_app_allowed_users: str = Field(
        default="", description="Comma-separated Zoom user ids allowed to use the Zoom App besides the host."
    )

    # Defaults for agendas and user-facing text
    timezone: str = "Europe/Berlin"
    language: Literal["de", "en"] = "de"

    # Mail
    mail_transport: Literal["smtp", "eml"] = "eml"
    mail_eml_dir: Path = Path("outbox-eml")
    mail_eml_fsync: bool = True  # each .eml on disk before it counts as written (off in the demo)
    mail_from: str = "Forum Seniorenarbeit NRW <info@forum-seniorenarbeit.de>"
    mail_reply_to: str | None = None
    mail_template_dir: Path | None = None
    mail_logo_url: str | None = None
    mail_rate_per_minute: float | None = None
    mail_workers: int = Field(default=4, ge=1)
    # Processes that render mails beside the send threads (0: the threads render; see render_pool).
    mail_render_processes: int = Field(default=0, ge=0, le=16)
    mail_max_unconfirmed: int = Field(default=1, ge=1)
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_security: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 30.0
    mail_lease_seconds: float = 300.0
    mail_batch_size: int = 200
    mail_max_attempts: int = 8
    mail_message_id_domain: str | None = None

    # Service
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    session_secret: SecretStr | None = None
    retention_days: int = 90
    sync_interval_seconds: float = 300.0
    dispatch_interval_seconds: float = 30.0
    misfire_grace_seconds: int = 600
    # Web interface (dashboard, moderator console)
    session_cookie_secure: Literal["auto", "true", "false"] = Field(
        default="auto",
        description="Secure flag of the login cookie; auto = on, except when serving on loopback"
        " without an https public_url.",
    )
    session_max_age_seconds: int = 12 * 3600
    public_url: str | None = Field(
        default=None, description="Address people open the web interface at (moderator links)."
    )

    def require_zoom_credentials(self) -> tuple[str, str, SecretStr]:
        """Return (account id, client id, secret) or raise naming every missing variable."""
        missing = [
            f"ORCHESTRATOR_{name.upper()}"
            for name in ("zoom_account_id", "zoom_client_id", "zoom_client_secret")
            if not getattr(self, name)
        ]
        if missing:
            raise BadInput(
                _(
                    "Zoom credentials are missing: {names}. Set them (see config/.env.example)"
                    " or use ORCHESTRATOR_ZOOM=emulator.",
                    names=", ".join(missing),
                )
            )
        assert self.zoom_account_id and self.zoom_client_id and self.zoom_client_secret
        return self.zoom_account_id, self.zoom_client_id, self.zoom_client_secret
