"""A CSRF-checked form with many fields (the agenda editor has one field per time, room and moderator)."""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.datastructures import FormData

from orchestrator.web.body_limit import BodyTooLarge
from orchestrator.web.ui.csrf import FIELD, SESSION_KEY
from orchestrator.web.ui.errors import CsrfFailed, PayloadTooLarge

MAX_FIELDS = 3000


async def checked_large_form(request: Request) -> FormData:
    """Like :func:`orchestrator.web.ui.csrf.checked_form`, with up to :data:`MAX_FIELDS` fields."""
    try:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS)
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
