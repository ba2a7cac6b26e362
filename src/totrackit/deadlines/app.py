"""The composition root of ``totrackit worker``: the deadline engine plus a tiny HTTP listener.

The listener serves ``/health/live`` (fails when the engine's loops stall, so an orchestrator
restarts a stuck worker), ``/health/ready`` (plus a database check) and ``/metrics`` (the
engine's counters live in this process, so Prometheus scrapes the worker too).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from totrackit import __version__
from totrackit.clock import Clock, SystemClock
from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.deadlines.runner import DeadlineEngine
from totrackit.observability.metrics import render
from totrackit.settings import Settings


@dataclass
class WorkerState:
    db: AsyncEngine
    deadlines: DeadlineEngine
    clock: Clock


def create_worker_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    """The worker's ASGI app: the engine runs in its lifespan, so SIGTERM stops it cleanly."""
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = make_db(settings.database)
        try:
            if settings.database.auto_migrate:
                await migrate.upgrade(db)
            deadlines = DeadlineEngine(settings=settings.deadlines, db=db, clock=clock)
            app.state.worker = WorkerState(db=db, deadlines=deadlines, clock=clock)
            await deadlines.start()
            try:
                yield
            finally:
                await deadlines.stop()
        finally:
            await db.dispose()

    routes = [
        Route("/health/live", live),
        Route("/health/ready", ready),
        Route("/health", ready),
    ]
    if settings.observability.metrics_enabled:
        routes.append(Route("/metrics", metrics))
    return Starlette(routes=routes, lifespan=lifespan)


async def live(request: Request) -> JSONResponse:
    """Alive means making progress: 503 once no scan completed for three intervals."""
    state: WorkerState = request.app.state.worker
    worker = state.deadlines.heartbeat.to_health(state.clock.now())
    return _health({"worker": worker})


async def ready(request: Request) -> JSONResponse:
    state: WorkerState = request.app.state.worker
    worker = state.deadlines.heartbeat.to_health(state.clock.now())
    started = time.perf_counter()
    try:
        async with state.db.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the reason goes to the caller
        database = {"status": "DOWN", "error": type(exc).__name__}
    else:
        elapsed = (time.perf_counter() - started) * 1000
        database = {"status": "UP", "responseTime": f"{elapsed:.0f}ms"}
    return _health({"worker": worker, "database": database})


async def metrics(request: Request) -> Response:
    body, content_type = render()
    return Response(body, media_type=content_type)


def _health(components: dict[str, dict[str, Any]]) -> JSONResponse:
    up = all(component["status"] == "UP" for component in components.values())
    body = {
        "status": "UP" if up else "DOWN",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "version": __version__,
        "components": components,
    }
    return JSONResponse(body, status_code=200 if up else 503)
