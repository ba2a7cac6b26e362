"""Creating the async engine for the configured database."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from totrackit.settings import DatabaseSettings
from totrackit.settings.database_url import Backend, DatabaseURL


def make_db(settings: DatabaseSettings) -> AsyncEngine:
    """The SQLAlchemy engine (``db``): pooled connections on PostgreSQL, tuned pragmas on SQLite."""
    if settings.location.backend is Backend.SQLITE:
        return _sqlite_engine(settings.location)
    return _postgresql_engine(settings)


def _postgresql_engine(settings: DatabaseSettings) -> AsyncEngine:
    server_settings = {"application_name": "totrackit", "timezone": "UTC"}
    if settings.statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.statement_timeout_ms)
    return create_async_engine(
        settings.location.async_url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        # No pre-ping: it costs a round trip on every request. A connection the database
        # dropped fails its request with a 503 and is replaced; the pool recycles hourly.
        pool_recycle=3600,
        # Bounded waits: a database that is down or unreachable, or a pool that is exhausted,
        # makes a request a 503 after these, never a request held open (asyncpg waits 60 s
        # to connect, SQLAlchemy 30 s for a pooled connection, by default).
        pool_timeout=settings.pool_timeout_ms / 1000,
        connect_args={
            "server_settings": server_settings,
            "timeout": settings.connect_timeout_ms / 1000,
        },
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
    )


def _sqlite_engine(database: DatabaseURL) -> AsyncEngine:
    path = database.sqlite_path
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = create_async_engine(
        database.async_url,
        connect_args={"timeout": 30},
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
    )
    event.listen(db.sync_engine, "connect", _configure_sqlite_connection)
    return db


def _dumps(value: Any) -> str:
    # Tags and context are read back on every list row: orjson is several times faster than json.
    return orjson.dumps(value).decode()


def _configure_sqlite_connection(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets readers run beside the single writer; NORMAL sync is durable across application
    # crashes in WAL mode; foreign keys are off by default in SQLite and the tag rows need them.
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
    ):
        cursor.execute(pragma)
    cursor.close()
