"""The application factory: the composition root that wires settings, database and routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from typing import Any

from fastapi import FastAPI

from totrackit import __version__
from totrackit.analytics.routes import router as analytics_router
from totrackit.analytics.service import AnalyticsService
from totrackit.clock import Clock, SystemClock
from totrackit.db.connect import make_db
from totrackit.db.startup import prepare_database
from totrackit.deadlines.embedded import embedded_engine
from totrackit.health.routes import router as health_router
from totrackit.health.service import HealthService, redis_health, worker_health
from totrackit.lifecycle import Lifecycle
from totrackit.observability.context import probe_context
from totrackit.observability.db_metrics import instrument_db
from totrackit.observability.metrics import PrometheusProcessMetrics
from totrackit.observability.routes import router as metrics_router
from totrackit.observability.tracing import setup_tracing
from totrackit.processes.metrics import NoMetrics
from totrackit.processes.routes import router as processes_router
from totrackit.processes.service import ProcessService
from totrackit.settings import Settings
from totrackit.settings.database_url import Backend
from totrackit.state import AppState
from totrackit.transfer.routes import router as imports_router
from totrackit.ui.routes import STATIC_DIR, mount_ui
from totrackit.web.errors import install_error_handlers
from totrackit.web.middleware import middleware_stack
from totrackit.web.middleware.rate_limit import build_limiter
from totrackit.web.openapi import build_openapi, mount_swagger_assets
from totrackit.web.openapi import router as docs_router

logger = logging.getLogger(__name__)

STARTUP_WAIT_SECONDS = 5.0


@contextmanager
def _quiet_probe(untraced: Callable[[], AbstractContextManager[Any]]) -> Iterator[None]:
    """What a health probe's work runs in: logged at DEBUG only, never traced."""
    with probe_context(), untraced():
        yield


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """Build the ASGI application for these settings; resources open in the lifespan."""
    clock = clock or SystemClock()

    lifecycle = Lifecycle()
    tracing = setup_tracing(settings)  # a no-op unless TOTRACKIT_TRACING_ENABLED
    limiter = build_limiter(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = make_db(settings.database)
        if settings.observability.metrics_enabled:
            instrument_db(db)
        tracing.instrument(db)
        app.state.totrackit = AppState(
            settings=settings,
            db=db,
            clock=clock,
            processes=ProcessService(
                clock=clock,
                exact_count_limit=settings.server.list_exact_count_limit,
                warning_threshold=settings.deadlines.warning_threshold,  # deadline engine: warning points
                metrics=PrometheusProcessMetrics()
                if settings.observability.metrics_enabled
                else NoMetrics(),
            ),
            analytics=AnalyticsService(clock=clock),
            lifecycle=lifecycle,
            health=HealthService(db=db, lifecycle=lifecycle),
            limiter=limiter,
        )
        if limiter is not None and limiter.redis_healthy is not None:
            app.state.totrackit.health.add_component("redis", redis_health(limiter))
        startup = asyncio.create_task(prepare_database(db, settings, lifecycle))
        try:
            # A reachable database is ready within moments: start serving with it. An unreachable
            # one is retried in the background while /health/ready answers 503.
            done, _ = await asyncio.wait({startup}, timeout=STARTUP_WAIT_SECONDS)
            if done:
                startup.result()  # a migration failure stops the start, with its error
                logger.info(
                    "ToTrackIt %s ready on %s", __version__, settings.database.location.redacted()
                )
            # Deadline engine: runs here only in the all-in-one process (`totrackit serve` sets
            # TOTRACKIT_RUN_ENGINE); `totrackit worker` runs it alone. See deadlines/embedded.py.
            async with (
                app.state.totrackit.health.refreshing(quiet=lambda: _quiet_probe(tracing.quiet)),
                embedded_engine(settings.deadlines, db=db, clock=clock) as deadline_engine,
            ):
                app.state.totrackit.deadline_engine = deadline_engine
                if deadline_engine is not None:
                    health = app.state.totrackit.health
                    health.add_component("worker", worker_health(deadline_engine, clock))
                yield
        finally:
            startup.cancel()
            await db.dispose()
            tracing.shutdown()

    app = FastAPI(
        title="ToTrackIt API",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        debug=False,
        telemetry=tracing.fastapi_telemetry(),
        middleware=middleware_stack(
            settings, lifecycle=lifecycle, limiter=limiter, quiet=tracing.quiet
        ),
    )
    install_error_handlers(app, postgresql=settings.database.location.backend is Backend.POSTGRESQL)
    routers = [processes_router, imports_router, analytics_router, health_router, docs_router]
    if settings.observability.metrics_enabled:
        routers.append(metrics_router)
    for router in routers:
        # The routes themselves, not include_router(): FastAPI keeps an included router as a
        # nested router that every request matches level by level, which cost a probe or a
        # 404 a fifth of its CPU. Nothing is set at inclusion here (prefixes, tags and
        # dependencies are declared on each router), so the routes are the same either way.
        app.router.routes.extend(router.routes)
    mount_swagger_assets(app)
    mount_ui(app, settings.server.ui_dir or STATIC_DIR)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    app.state.lifecycle = lifecycle
    return app
