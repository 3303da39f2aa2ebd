"""CSRF protection: one random token per session, required in every POSTed form.

The token lives in the signed session cookie and is compared with the form field ``csrf_token``
(constant time). The cookie is SameSite=Lax as well, but the token is what we rely on.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.datastructures import FormData

from orchestrator.web.body_limit import BodyTooLarge
from orchestrator.web.ui.errors import CsrfFailed, PayloadTooLarge

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


async def checked_form(request: Request) -> FormData:
    """FastAPI dependency for POST routes: the parsed form, after the size and CSRF checks."""
    # The size is enforced while the body arrives (BodyLimitMiddleware), Content-Length or not.
    try:
        form = await request.form(max_files=1, max_fields=50)
    except BodyTooLarge:
        raise PayloadTooLarge() from None
    sent = form.get(FIELD)
    expected = request.session.get(SESSION_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfFailed()
    return form
