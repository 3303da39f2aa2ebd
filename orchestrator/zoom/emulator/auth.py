"""Server-to-Server OAuth as Zoom does it: ``POST /oauth/token`` and bearer checks on ``/v2``.

Token requests carry ``grant_type=account_credentials`` and ``account_id`` (query string or form
body) and HTTP Basic ``client_id:client_secret``. Tokens live ``token_lifetime_seconds`` on the
emulator's clock; a request with an expired token gets 401 with Zoom's code 124.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from orchestrator.zoom.emulator.config import EmulatorConfig
from orchestrator.zoom.emulator.errors import ApiError, zoom_error
from orchestrator.zoom.emulator.formats import parse_zoom_datetime, zoom_datetime

TOKEN_SCOPES = "meeting:read:admin meeting:write:admin user:read:admin"  # noqa: S105 (not a secret)


def oauth_error(status: int, error: str, reason: str) -> ApiError:
    """The OAuth endpoint's error shape (it differs from the REST API's ``code``/``message``)."""
    return ApiError(status, {"reason": reason, "error": error})


def issue_token(
    data: dict[str, Any],
    config: EmulatorConfig,
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
    now: datetime,
) -> dict[str, Any]:
    """Check a token request and answer with a new access token (or raise the OAuth error)."""
    params = dict(query)
    if body:
        # the form body and the query string are both accepted, as by Zoom
        for key, values in parse_qs(body.decode("utf-8", "replace")).items():
            params.setdefault(key, values)
    grant_type = _first(params, "grant_type")
    if grant_type != "account_credentials":
        raise oauth_error(400, "unsupported_grant_type", "unsupported grant type")
    client = _basic_credentials(headers.get("authorization", ""))
    if client is None:
        raise oauth_error(401, "invalid_client", "Invalid client_id or client_secret")
    account_id = _first(params, "account_id")
    if not account_id:
        raise oauth_error(400, "invalid_request", "Missing account_id")
    if config.checks_credentials:
        client_id, client_secret = client
        if (config.client_id is not None and client_id != config.client_id) or (
            config.client_secret is not None and client_secret != config.client_secret
        ):
            raise oauth_error(401, "invalid_client", "Invalid client_id or client_secret")
        if config.account_id is not None and account_id != config.account_id:
            raise oauth_error(400, "invalid_request", "Invalid account_id")
    tokens: dict[str, str] = data["tokens"]
    for stale in [t for t, expiry in tokens.items() if parse_zoom_datetime(expiry) <= now]:
        del tokens[stale]
    token = secrets.token_urlsafe(32)
    tokens[token] = zoom_datetime(now + timedelta(seconds=config.token_lifetime_seconds))
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": config.token_lifetime_seconds,
        "scope": TOKEN_SCOPES,
        "api_url": "https://api.zoom.us",
    }


def bearer_token(headers: dict[str, str]) -> str | None:
    """The access token of an ``Authorization: Bearer ...`` header."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def check_bearer(data: dict[str, Any], headers: dict[str, str], now: datetime) -> str:
    """The request's valid token; 401 code 124 when it is missing, unknown or expired."""
    token = bearer_token(headers)
    expiry = data["tokens"].get(token) if token else None
    if token is None or expiry is None:
        raise zoom_error(401, 124, "Invalid access token.")
    if parse_zoom_datetime(expiry) <= now:
        raise zoom_error(401, 124, "Access token is expired.")
    return token


def expire_token(data: dict[str, Any], token: str | None, now: datetime) -> None:
    """Make ``token`` expired from now on (the ``token-expired`` fault)."""
    if token and token in data["tokens"]:
        data["tokens"][token] = zoom_datetime(now - timedelta(seconds=1))


def _first(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, client_secret = decoded.partition(":")
    if not sep or not client_id or not client_secret:
        return None
    return client_id, client_secret
