"""Server-to-Server OAuth access tokens for the Zoom API (``grant_type=account_credentials``).

Zoom issues one-hour bearer tokens without refresh token; requesting a new token may invalidate
the previous one, so all threads share one cached token and only one thread fetches at a time.

Plain ``requests`` with HTTP Basic auth is used instead of authlib's ``OAuth2Session``: the
session is injected (tests and the emulator mount transport adapters on it) and expiry must follow
the injected clock, while authlib's token object checks expiry against ``time.time()``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from pydantic import SecretStr
from requests.auth import HTTPBasicAuth

from orchestrator.clock import Clock
from orchestrator.i18n import _
from orchestrator.zoom.errors import AuthError, ZoomTimeout, ZoomUnavailable

logger = logging.getLogger(__name__)

DEFAULT_OAUTH_URL = "https://zoom.us/oauth/token"

_ACCOUNT_ID = "ORCHESTRATOR_ZOOM_ACCOUNT_ID"
_CLIENT_CREDENTIALS = "ORCHESTRATOR_ZOOM_CLIENT_ID / ORCHESTRATOR_ZOOM_CLIENT_SECRET"
_OAUTH_URL = "ORCHESTRATOR_ZOOM_OAUTH_URL"


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and the moment it stops being valid."""

    value: str
    expires_at: datetime
    scope: str = ""

    def __repr__(self) -> str:  # never show the token itself
        return f"AccessToken(expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"


class TokenProvider:
    """One cached access token shared by all threads, renewed ``renew_margin`` before expiry."""

    def __init__(  # noqa: PLR0913  the OAuth app's credentials and transport, wired once by the app
        self,
        account_id: str,
        client_id: str,
        client_secret: SecretStr,
        oauth_url: str,
        session: requests.Session,
        clock: Clock,
        renew_margin: timedelta | float = timedelta(seconds=300),
        timeout: tuple[float, float] = (5, 30),
    ) -> None:
        self._account_id = account_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._oauth_url = oauth_url
        self._session = session
        self._clock = clock
        self._renew_margin = (
            renew_margin if isinstance(renew_margin, timedelta) else timedelta(seconds=renew_margin)
        )
        self._timeout = timeout
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self.fetch_count = 0  # how many tokens were requested (observability and tests)

    def token(self) -> str:
        """Return a valid access token, fetching a new one if none is cached or it is about to expire."""
        current = self._token
        if current is not None and not self._needs_renewal(current):
            return current.value
        with self._lock:
            # Another thread may have renewed while we waited for the lock.
            current = self._token
            if current is None or self._needs_renewal(current):
                current = self._fetch()
                self._token = current
            return current.value

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after Zoom rejected it, unless another thread already replaced it."""
        with self._lock:
            if self._token is not None and self._token.value == token:
                self._token = None

    def _needs_renewal(self, token: AccessToken) -> bool:
        return self._clock.now() >= token.expires_at - self._renew_margin

    def _fetch(self) -> AccessToken:
        requested_at = self._clock.now()
        try:
            response = self._session.post(
                self._oauth_url,
                data={"grant_type": "account_credentials", "account_id": self._account_id},
                auth=HTTPBasicAuth(self._client_id, self._client_secret.get_secret_value()),
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            # Asking again for a token is harmless, so these are never ambiguous (safe to retry).
            error_type = ZoomTimeout if isinstance(exc, requests.Timeout) else ZoomUnavailable
            raise error_type(
                None,
                None,
                _(
                    "Zoom's token service could not be reached ({error}); check {setting} and the network.",
                    error=type(exc).__name__,
                    setting=_OAUTH_URL,
                ),
                method="POST",
                path="/oauth/token",
                ambiguous=False,
            ) from None
        self.fetch_count += 1
        logger.debug(
            "zoom token request -> %s",
            response.status_code,
            extra={"zoom_status": response.status_code},
        )
        # Whatever Zoom echoes back, the secret never goes into an error text.
        reason = _reason(response)
        secret = self._client_secret.get_secret_value()
        if secret:
            reason = reason.replace(secret, "[redacted]")
        if response.status_code >= 500:
            raise ZoomUnavailable(response.status_code, None, reason, method="POST", path="/oauth/token")
        body = _json_or_none(response)
        if response.status_code != 200 or body is None or not body.get("access_token"):
            raise AuthError(
                response.status_code,
                None,
                reason,
                method="POST",
                path="/oauth/token",
                hint=_hint(response.status_code, body),
            )
        expires_in = float(body.get("expires_in", 3599))
        logger.info("zoom access token obtained", extra={"zoom_token_expires_in": expires_in})
        return AccessToken(
            value=str(body["access_token"]),
            expires_at=requested_at + timedelta(seconds=expires_in),
            scope=str(body.get("scope", "")),
        )


def _json_or_none(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _reason(response: requests.Response) -> str:
    body = _json_or_none(response)
    if body is None:
        return _("no JSON answer (HTTP {status})", status=response.status_code)
    return str(body.get("reason") or body.get("message") or body.get("error") or "")


def _hint(status: int, body: dict[str, Any] | None) -> str:
    """Name the setting that is most probably wrong, judging from Zoom's OAuth error answer."""
    if body is None or status == 404:
        return _("This does not look like Zoom's token service; check {setting}.", setting=_OAUTH_URL)
    error = str(body.get("error", "")).lower()
    reason = str(body.get("reason", "")).lower()
    if status == 401 or error == "invalid_client" or "client" in reason:
        return _("Zoom did not accept the client credentials; check {setting}.", setting=_CLIENT_CREDENTIALS)
    if error == "unsupported_grant_type" or "grant" in reason:
        return _("The Zoom app must be a Server-to-Server OAuth app (account credentials).")
    if "account" in reason or error == "invalid_request":
        return _("Zoom did not accept the account ID; check {setting}.", setting=_ACCOUNT_ID)
    if status == 200:
        return _("Zoom's answer contained no access token; check {setting}.", setting=_OAUTH_URL)
    return _("Check {account} and {client}.", account=_ACCOUNT_ID, client=_CLIENT_CREDENTIALS)
