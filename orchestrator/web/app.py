"""The FastAPI application of ``orchestrator run``: webhooks, health, and routers added by others.

There is deliberately no OpenAPI/docs endpoint: every route except the webhook (signature-checked)
and the health check must require a login, and the dashboard routers bring their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from orchestrator.web import health, webhooks
from orchestrator.web.body_limit import BodyLimitMiddleware, BodyLimits
from orchestrator.web.context import WebContext
from orchestrator.web.notification_router import make_handler
from orchestrator.web.server_error import server_error_page
from orchestrator.web.worker import WebhookWorker


def create_app(
    ctx: WebContext,
    *,
    routers: Sequence[APIRouter] = (),
    process_in_background: bool = True,
    poll_seconds: float = 5.0,
) -> FastAPI:
    """Build the app; ``routers`` (dashboard, moderator console) are mounted after the built-in ones.

    With ``process_in_background`` a worker thread applies stored webhook events while the app
    runs (started and stopped with the app's lifespan).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if process_in_background:
            worker = WebhookWorker(ctx, make_handler(ctx.default_language), poll_seconds=poll_seconds)
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(title="orchestrator", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = ctx
    # Every request body is counted as it arrives (see body_limit); install_ui sets the upload limit.
    app.state.body_limits = BodyLimits()
    app.add_middleware(BodyLimitMiddleware, limits=app.state.body_limits)
    # Unexpected errors: a short page with the security headers instead of Starlette's plain text.
    app.add_exception_handler(Exception, server_error_page)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    for router in routers:
        app.include_router(router)
    return app
