"""Health endpoints. ``/health/live`` does no I/O: it only says the process answers."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi import APIRouter
from sqlalchemy import text

from totrackit import __version__
from totrackit.web.deps import State
from totrackit.web.openapi import error_responses
from totrackit.web.responses import FastJSONResponse

router = APIRouter(prefix="/health", tags=["health"])

_STARTED = time.monotonic()


def _timestamp() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@router.get("/live", responses=error_responses(), summary="Liveness: the process answers (no I/O)")
async def live() -> FastJSONResponse:
    return FastJSONResponse(
        {
            "status": "UP",
            "timestamp": _timestamp(),
            "version": __version__,
            "application": {"status": "UP", "uptime_seconds": int(time.monotonic() - _STARTED)},
        }
    )


@router.get(
    "/ready",
    responses={
        503: {"description": "Not ready: the database does not answer."},
        **error_responses(),
    },
    summary="Readiness: the database answers",
)
async def ready(state: State) -> FastJSONResponse:
    started = time.perf_counter()
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the reason goes to the caller
        database = {"status": "DOWN", "error": type(exc).__name__}
    else:
        database = {
            "status": "UP",
            "responseTime": f"{(time.perf_counter() - started) * 1000:.0f}ms",
        }
    status = database["status"]
    return FastJSONResponse(
        {"status": status, "timestamp": _timestamp(), "database": database},
        status_code=200 if status == "UP" else 503,
    )
