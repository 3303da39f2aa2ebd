"""``POST /zoom/webhook``: verify, store once, acknowledge. Processing happens elsewhere.

Answers: 200 stored or duplicate (Zoom retries are no-ops), 200 with the token for
``endpoint.url_validation``, 401 for a missing/invalid/stale signature, 400 for a signed body that
is not a notification, 413 for an oversized body, 503 when no secret is configured or the store
is unavailable (Zoom retries later). Nothing is stored for a refused request.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from orchestrator.web.body_limit import BodyLimits
from orchestrator.web.context import WebContext, web_context
from orchestrator.web.inbox import store_notification, write_lock
from orchestrator.zoom.webhooks import (
    URL_VALIDATION,
    MalformedWebhook,
    WebhookRejected,
    parse_notification,
    url_validation_answer,
    verify_signature,
)

log = logging.getLogger(__name__)
router = APIRouter()

MAX_BODY_BYTES = BodyLimits().webhook_bytes  # enforced by BodyLimitMiddleware


def _answer(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def _store(ctx: WebContext, notification: dict[str, Any]) -> bool:
    with write_lock(ctx.sessions), ctx.sessions() as session:
        return store_notification(session, notification, ctx.clock.now())


@router.post("/zoom/webhook")
async def zoom_webhook(request: Request, ctx: Annotated[WebContext, Depends(web_context)]) -> JSONResponse:
    """Receive one Zoom notification."""
    if ctx.webhook_secret is None or not ctx.webhook_secret.get_secret_value():
        log.error("webhook refused: ORCHESTRATOR_ZOOM_WEBHOOK_SECRET is not set")
        return _answer(503, "webhook secret not configured")
    # BodyLimitMiddleware stops reading at the limit (chunked bodies included): BodyTooLarge → 413.
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:  # only reachable when the app was built without the middleware
        return _answer(413, "body too large")
    secret = ctx.webhook_secret.get_secret_value().encode()
    try:
        verify_signature(secret, dict(request.headers), body, ctx.clock.now())
        notification = parse_notification(body)
        if notification["event"] == URL_VALIDATION:
            return JSONResponse(url_validation_answer(secret, notification))
    except WebhookRejected as exc:
        log.warning("webhook refused", extra={"reason": exc.reason})
        return _answer(401, "invalid signature")
    except MalformedWebhook as exc:
        log.warning("webhook malformed", extra={"reason": str(exc)})
        return _answer(400, "malformed notification")
    try:
        new = await run_in_threadpool(_store, ctx, notification)
    except Exception:  # the store is down or locked: Zoom retries a non-2xx answer
        log.exception("webhook could not be stored")
        return _answer(503, "store unavailable")
    if new:
        ctx.wake.set()
    return JSONResponse({"status": "stored" if new else "duplicate"})
