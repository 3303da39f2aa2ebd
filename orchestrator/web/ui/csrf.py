"""CSRF protection: one random token per session, required in every POSTed form.

The token lives in the signed session cookie and is compared with the form field ``csrf_token``
(constant time). The cookie is SameSite=Lax as well, but the token is what we rely on.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from orchestrator.web.ui.errors import CsrfFailed, PayloadTooLarge
from orchestrator.web.ui.state import UiState, ui_state

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's token (created on first use)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate(request: Request) -> None:
    """A new token (after login/logout)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)


async def checked_form(request: Request, state: Annotated[UiState, Depends(ui_state)]) -> FormData:
    """FastAPI dependency for POST routes: the parsed form, after the size and CSRF checks."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit() or int(declared) > state.max_upload_bytes:
        raise PayloadTooLarge()
    form = await request.form(max_files=1, max_fields=50)
    sent = form.get(FIELD)
    expected = request.session.get(SESSION_KEY)
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(
        sent.encode(), expected.encode()
    ):
        raise CsrfFailed()
    return form
