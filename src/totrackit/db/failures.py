"""Recognising database failures that are the server's condition, not a bug or a client error.

A failure recognised here is answered with a 503 and ``Retry-After`` (web/errors.py), retried by
the deadline engine next interval, and waited out at start-up; anything else is a bug and a 500.
The tables name each condition by its code, so a new one is a line here and a row in the tests.
"""

from __future__ import annotations

import socket
from enum import Enum

from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class DatabaseFailure(Enum):
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"


TIMEOUT, UNAVAILABLE = DatabaseFailure.TIMEOUT, DatabaseFailure.UNAVAILABLE

#: PostgreSQL SQLSTATE codes (Appendix A of its manual) that are the server's condition.
#: Everything else (constraint violations, syntax, undefined tables, deadlocks) is a bug here.
POSTGRESQL_CODES: dict[str, DatabaseFailure] = {
    "57014": TIMEOUT,  # query_canceled: statement_timeout, or a cancel request
    "55P03": TIMEOUT,  # lock_not_available: lock_timeout
    "57P01": UNAVAILABLE,  # admin_shutdown: a fast shutdown, pg_terminate_backend
    "57P02": UNAVAILABLE,  # crash_shutdown: another backend crashed, the server restarts
    "57P03": UNAVAILABLE,  # cannot_connect_now: starting up, shutting down, in recovery
    "57P05": UNAVAILABLE,  # idle_session_timeout
    "53000": UNAVAILABLE,  # insufficient_resources
    "53100": UNAVAILABLE,  # disk_full
    "53200": UNAVAILABLE,  # out_of_memory
    "53300": UNAVAILABLE,  # too_many_connections
    "25006": UNAVAILABLE,  # read_only_sql_transaction: writing to a standby after a failover
    "58000": UNAVAILABLE,  # system_error
    "58030": UNAVAILABLE,  # io_error
}
#: Whole classes: 08 is "connection exception" (08000, 08003, 08006, 08001, 08004, ...).
POSTGRESQL_CLASSES: dict[str, DatabaseFailure] = {"08": UNAVAILABLE}

#: SQLite primary result codes (the low byte of an extended code).
SQLITE_CODES: dict[int, DatabaseFailure] = {
    5: UNAVAILABLE,  # SQLITE_BUSY: another writer held the lock past busy_timeout
    6: UNAVAILABLE,  # SQLITE_LOCKED
    7: UNAVAILABLE,  # SQLITE_NOMEM
    8: UNAVAILABLE,  # SQLITE_READONLY: the file or its directory is not writable
    9: TIMEOUT,  # SQLITE_INTERRUPT
    10: UNAVAILABLE,  # SQLITE_IOERR
    13: UNAVAILABLE,  # SQLITE_FULL: the disk is full
    14: UNAVAILABLE,  # SQLITE_CANTOPEN
    15: UNAVAILABLE,  # SQLITE_PROTOCOL
}


def failure_types(*, postgresql: bool) -> tuple[type[Exception], ...]:
    """Every exception class ``classify`` can recognise (the web layer answers these apart from
    bugs). asyncpg's own classes only when PostgreSQL is in use: importing the driver costs an
    embedded-SQLite process memory for nothing."""
    types: tuple[type[Exception], ...] = (
        DBAPIError,
        PoolTimeoutError,
        OSError,  # ConnectionError, TimeoutError, socket.gaierror while connecting
    )
    if postgresql:
        import asyncpg

        types += (asyncpg.PostgresError,)  # raised unwrapped while connecting (57P03, 53300)
    return types


def classify(exc: BaseException) -> DatabaseFailure | None:
    """What kind of database failure ``exc`` is, or None when it is not one."""
    if isinstance(exc, PoolTimeoutError):
        return UNAVAILABLE  # every pooled connection busy for DB_POOL_TIMEOUT_MS
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return UNAVAILABLE  # raised by the driver while connecting (refused, timed out, DNS)
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    found = _by_code(original) or _by_code(getattr(original, "__cause__", None))
    if found is not None:
        return found
    if isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, InterfaceError)
    ):
        return UNAVAILABLE  # the connection was lost: the driver says so, with or without a code
    return None


def _by_code(error: BaseException | None) -> DatabaseFailure | None:
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return POSTGRESQL_CODES.get(sqlstate) or POSTGRESQL_CLASSES.get(sqlstate[:2])
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return SQLITE_CODES.get(sqlite_code & 0xFF)
    return None
