"""Recognising database failures that are the server's condition, not a bug or a client error."""

from __future__ import annotations

import socket
from enum import Enum

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout (or a cancel request)


class DatabaseFailure(Enum):
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"


def classify(exc: BaseException) -> DatabaseFailure | None:
    """What kind of database failure ``exc`` is, or None when it is not one."""
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return DatabaseFailure.UNAVAILABLE  # raised by the driver while connecting
    if not isinstance(exc, DBAPIError):
        return None
    if getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
        return DatabaseFailure.TIMEOUT
    if exc.connection_invalidated or isinstance(exc, InterfaceError | OperationalError):
        return DatabaseFailure.UNAVAILABLE
    return None
