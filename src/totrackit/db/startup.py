"""Getting the database ready at start-up: wait for it with backoff, then migrate."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db import migrate
from totrackit.db.failures import DatabaseFailure, classify
from totrackit.lifecycle import Lifecycle
from totrackit.settings import Settings

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0


async def prepare_database(db: AsyncEngine, settings: Settings, lifecycle: Lifecycle) -> None:
    """Retry until the database answers, apply migrations if enabled, then mark ready.

    Only "cannot reach the database" is retried; anything else (a failing migration, a bad
    password) is raised, because waiting will not fix it.
    """
    delay, attempt = FIRST_RETRY_SECONDS, 0
    while True:
        attempt += 1
        try:
            await _connect_and_migrate(db, settings, lifecycle)
        except Exception as exc:
            if classify(exc) is not DatabaseFailure.UNAVAILABLE:
                raise
            lifecycle.waiting_for = f"database at {_where(settings)} ({type(exc).__name__})"
            logger.warning(
                "Cannot reach the database at %s (attempt %d: %s). Check that it is running and "
                "that TOTRACKIT_DATABASE_URL or TOTRACKIT_DB_HOST/TOTRACKIT_DB_PORT point to it; "
                "retrying in %.1fs.",
                _where(settings),
                attempt,
                _reason(exc),
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        else:
            lifecycle.ready = True
            return


async def _connect_and_migrate(db: AsyncEngine, settings: Settings, lifecycle: Lifecycle) -> None:
    async with db.connect() as conn:
        await conn.execute(text("SELECT 1"))
    if settings.database.auto_migrate:
        lifecycle.waiting_for = "database migrations"
        await migrate.upgrade(db)


def _where(settings: Settings) -> str:
    url = settings.database.location.url
    if url.host:
        return f"{url.host}:{url.port or 5432}"
    return url.query.get("host", "") or url.database or "?"  # type: ignore[return-value]


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return str(cause).splitlines()[0][:200] if str(cause) else type(cause).__name__
