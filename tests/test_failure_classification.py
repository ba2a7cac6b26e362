"""Which database errors are the server's condition (503, retried) and which are bugs (500).

The tables in db/failures.py are checked row by row with the driver's own exception classes,
then the wrapping SQLAlchemy really does is checked by provoking each kind on a real database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from totrackit.db.connect import make_db
from totrackit.db.failures import TIMEOUT, UNAVAILABLE, DatabaseFailure, classify
from totrackit.settings import Settings


def _every_postgres_error(cls: type[Exception]) -> Iterator[type[Exception]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _every_postgres_error(sub)


ASYNCPG_BY_SQLSTATE = {
    getattr(cls, "sqlstate", None): cls for cls in _every_postgres_error(asyncpg.PostgresError)
}

POSTGRESQL = [
    ("57014", TIMEOUT),  # statement_timeout
    ("55P03", TIMEOUT),  # lock_timeout
    ("57P01", UNAVAILABLE),  # fast shutdown
    ("57P02", UNAVAILABLE),  # crash restart
    ("57P03", UNAVAILABLE),  # starting up / in recovery
    ("53300", UNAVAILABLE),  # too many connections
    ("53100", UNAVAILABLE),  # disk full
    ("25006", UNAVAILABLE),  # a standby after failover
    ("08006", UNAVAILABLE),  # connection failure
    ("08001", UNAVAILABLE),  # unable to connect
    ("08003", UNAVAILABLE),  # connection does not exist
    ("23505", None),  # unique violation: a bug here (the service checks first)
    ("42P01", None),  # undefined table: a bug or a missing migration
    ("42601", None),  # syntax error
    ("40P01", None),  # deadlock: a bug in lock ordering, loud on purpose
    ("22003", None),  # numeric out of range: input the API should have refused
]


@pytest.mark.parametrize(("sqlstate", "expected"), POSTGRESQL)
def test_postgresql_errors_by_sqlstate(sqlstate: str, expected: DatabaseFailure | None) -> None:
    raw = ASYNCPG_BY_SQLSTATE[sqlstate]("message")
    wrapped = DBAPIError("SELECT 1", None, raw)

    assert classify(raw) is expected  # raised while connecting, unwrapped
    assert classify(wrapped) is expected


SQLITE = [
    (sqlite3.SQLITE_BUSY, UNAVAILABLE),
    (sqlite3.SQLITE_BUSY_SNAPSHOT, UNAVAILABLE),  # an extended code: its low byte decides
    (sqlite3.SQLITE_LOCKED, UNAVAILABLE),
    (sqlite3.SQLITE_READONLY, UNAVAILABLE),
    (sqlite3.SQLITE_IOERR_WRITE, UNAVAILABLE),
    (sqlite3.SQLITE_FULL, UNAVAILABLE),
    (sqlite3.SQLITE_CANTOPEN, UNAVAILABLE),
    (sqlite3.SQLITE_INTERRUPT, TIMEOUT),
    (sqlite3.SQLITE_ERROR, None),  # no such table, syntax
    (sqlite3.SQLITE_CONSTRAINT_UNIQUE, None),
    (sqlite3.SQLITE_CORRUPT, None),  # not transient: retrying cannot help, so loud
    (sqlite3.SQLITE_NOTADB, None),
]


@pytest.mark.parametrize(("code", "expected"), SQLITE)
def test_sqlite_errors_by_result_code(code: int, expected: DatabaseFailure | None) -> None:
    raw = sqlite3.OperationalError("message")
    raw.sqlite_errorcode = code  # set by sqlite3 itself on errors it raises

    assert classify(DBAPIError("SELECT 1", None, raw)) is expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "refused"), UNAVAILABLE),
        (TimeoutError(), UNAVAILABLE),  # asyncpg's connect timeout
        (PoolTimeoutError("QueuePool limit reached"), UNAVAILABLE),
        (ValueError("a bug"), None),
        (KeyError("a bug"), None),
    ],
)
def test_errors_outside_the_driver(error: Exception, expected: DatabaseFailure | None) -> None:
    assert classify(error) is expected


# The same, provoked for real: what the driver and SQLAlchemy raise, not what they document.


@pytest.fixture
def postgresql(postgresql_url: str) -> str:
    return postgresql_url


async def raised(db: AsyncEngine, *statements: str) -> BaseException:
    try:
        async with db.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    except Exception as error:  # the error is what the test looks at
        return error
    raise AssertionError(f"no error from {statements}")


async def test_a_terminated_session_is_unavailable(postgresql: str) -> None:
    db = make_db(Settings(database_url=postgresql).database)
    try:
        error = await raised(db, "SELECT pg_terminate_backend(pg_backend_pid())")
        assert classify(error) is UNAVAILABLE
        async with db.connect() as conn:  # and the pool replaced the connection
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await db.dispose()


async def test_a_lock_timeout_is_a_timeout(postgresql: str) -> None:
    db = make_db(Settings(database_url=postgresql).database)
    try:
        async with db.begin() as setup:
            await setup.execute(text("CREATE TABLE IF NOT EXISTS lock_probe (n int)"))
        async with db.begin() as holder:
            await holder.execute(text("LOCK TABLE lock_probe IN ACCESS EXCLUSIVE MODE"))
            error = await raised(db, "SET lock_timeout = '50ms'", "SELECT * FROM lock_probe")
        assert classify(error) is TIMEOUT, error
    finally:
        async with db.begin() as cleanup:
            await cleanup.execute(text("DROP TABLE IF EXISTS lock_probe"))
        await db.dispose()


async def test_a_write_in_a_read_only_transaction_is_unavailable(postgresql: str) -> None:
    db = make_db(Settings(database_url=postgresql).database)
    try:
        error = await raised(
            db,
            "SET default_transaction_read_only = on",
            "CREATE TEMP TABLE IF NOT EXISTS t (n int)",
            "COMMIT",
            "BEGIN",
            "CREATE TABLE standby_write (n int)",
        )
        assert classify(error) is UNAVAILABLE, error
    finally:
        await db.dispose()


async def test_bugs_stay_bugs_on_postgresql(postgresql: str) -> None:
    db = make_db(Settings(database_url=postgresql).database)
    try:
        assert classify(await raised(db, "SELECT * FROM no_such_table")) is None
        assert classify(await raised(db, "SELECT 1/0")) is None
        duplicate = await raised(
            db,
            "CREATE TEMP TABLE u (n int PRIMARY KEY)",
            "INSERT INTO u VALUES (1)",
            "INSERT INTO u VALUES (1)",
        )
        assert isinstance(duplicate, IntegrityError) and classify(duplicate) is None
    finally:
        await db.dispose()


async def test_sqlite_busy_and_read_only_are_unavailable_and_bugs_stay_bugs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.db"
    sqlite3.connect(path).execute("CREATE TABLE t (n int)").connection.commit()
    impatient = create_async_engine(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0.05})
    read_only = create_async_engine(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    holder = sqlite3.connect(path)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        assert classify(await raised(impatient, "INSERT INTO t VALUES (1)")) is UNAVAILABLE
        holder.rollback()
        assert classify(await raised(read_only, "INSERT INTO t VALUES (1)")) is UNAVAILABLE
        assert classify(await raised(impatient, "SELECT * FROM no_such_table")) is None
    finally:
        holder.close()
        await impatient.dispose()
        await read_only.dispose()


async def test_a_connect_timeout_bounds_a_database_that_never_answers() -> None:
    """A listener that accepts and then says nothing (a frozen server, a black-holed route):
    the connect gives up after DB_CONNECT_TIMEOUT_MS with an error classified unavailable."""
    held: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(
        database_url=f"postgresql://u:p@127.0.0.1:{port}/d", db_connect_timeout_ms=200
    )
    db = make_db(settings.database)
    try:
        async with asyncio.timeout(10):  # the test's own bound: asyncpg's default is 60 s
            error = await raised(db, "SELECT 1")
        assert classify(error) is UNAVAILABLE
    finally:
        await db.dispose()
        server.close()
        for writer in held:
            writer.close()
