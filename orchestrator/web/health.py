"""``GET /healthz``: is the service up and its store reachable (no authentication, no data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from orchestrator.web.context import WebContext, web_context

router = APIRouter()


def _store_ok(ctx: WebContext) -> bool:
    try:
        with ctx.sessions() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/healthz")
async def healthz(ctx: Annotated[WebContext, Depends(web_context)]) -> JSONResponse:
    """200 ``{"status": "ok"}`` when the store answers, else 503."""
    if await run_in_threadpool(_store_ok, ctx):
        return JSONResponse({"status": "ok", "store": "ok"})
    return JSONResponse({"status": "degraded", "store": "unavailable"}, status_code=503)
