"""The one place that knows how PostgreSQL and SQLite differ.

Repositories ask this module for the few SQL pieces that cannot be written portably; nothing
else in the code base branches on the database backend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, Insert, cast, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.db.tables import processes


def is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


def seconds_between(conn: AsyncConnection, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in (fractional) seconds, for two Timestamp columns."""
    if is_sqlite(conn):
        return cast(end - start, Float) / 1_000_000.0
    return func.extract("epoch", end - start)


def insert_ignoring_conflicts(conn: AsyncConnection) -> Insert:
    """An INSERT into ``processes`` that skips rows hitting the unique ACTIVE index."""
    if is_sqlite(conn):
        return sqlite.insert(processes).on_conflict_do_nothing()
    return postgresql.insert(processes).on_conflict_do_nothing()
