"""Database metrics from SQLAlchemy events: statement durations and checked-out connections."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.observability.metrics import DB_CONNECTIONS_ACTIVE, DB_QUERY_DURATION

_STARTED = "totrackit_query_started"


def instrument_db(db: AsyncEngine) -> None:
    """Time every statement and track pool checkouts of this engine."""
    sync_engine = db.sync_engine
    event.listen(sync_engine, "before_cursor_execute", _before_execute)
    event.listen(sync_engine, "after_cursor_execute", _after_execute)
    event.listen(sync_engine, "handle_error", _after_error)
    event.listen(sync_engine.pool, "checkout", _checkout)
    event.listen(sync_engine.pool, "checkin", _checkin)


def _before_execute(conn: Any, _cursor: Any, *_args: Any) -> None:
    conn.info.setdefault(_STARTED, []).append(time.perf_counter())


def _after_execute(conn: Any, _cursor: Any, *_args: Any) -> None:
    started = conn.info.get(_STARTED)
    if started:
        DB_QUERY_DURATION.observe(time.perf_counter() - started.pop())


def _after_error(context: Any) -> None:
    started = context.connection.info.get(_STARTED) if context.connection is not None else None
    if started:
        DB_QUERY_DURATION.observe(time.perf_counter() - started.pop())


def _checkout(*_args: Any) -> None:
    DB_CONNECTIONS_ACTIVE.inc()


def _checkin(*_args: Any) -> None:
    DB_CONNECTIONS_ACTIVE.dec()
