"""``GET /healthz``: is the service up and can it write to its store (no authentication, no data).

Reading is not enough: a store that turned read-only (full disk, a file without write permission,
a PostgreSQL standby) accepts ``SELECT 1`` while every webhook and import fails. The check therefore
writes: it updates the store's migration marker to itself inside a transaction and rolls back, so
nothing changes, but the store has to accept a write.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from orchestrator.web.context import WebContext, web_context
from orchestrator.web.inbox import write_lock

log = logging.getLogger(__name__)
router = APIRouter()

# Every store has this one-row table (migrations); updating it to itself changes nothing.
_PROBE_WRITE = text("UPDATE alembic_version SET version_num = version_num")


def store_state(ctx: WebContext) -> str:
    """``ok``, ``read-only`` (reads work, writes fail) or ``unavailable``."""
    try:
        with write_lock(ctx.sessions), ctx.sessions() as session:
            session.execute(text("SELECT 1"))
            try:
                session.execute(_PROBE_WRITE)
            except Exception as exc:
                log.warning("health check: the store refuses writes", extra={"error": type(exc).__name__})
                return "read-only"
            finally:
                session.rollback()
        return "ok"
    except Exception:
        return "unavailable"


@router.get("/healthz")
async def healthz(ctx: Annotated[WebContext, Depends(web_context)]) -> JSONResponse:
    """200 ``{"status": "ok"}`` when the store accepts a write, else 503 ``degraded``."""
    state = await run_in_threadpool(store_state, ctx)
    if state == "ok":
        return JSONResponse({"status": "ok", "store": "ok"})
    return JSONResponse({"status": "degraded", "store": state}, status_code=503)
