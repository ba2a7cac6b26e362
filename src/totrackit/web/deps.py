"""Request-scoped dependencies shared by the HTTP handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.db import dialect
from totrackit.errors import UnsupportedMediaType
from totrackit.state import AppState


async def app_state(request: Request) -> AppState:
    # async although it awaits nothing: FastAPI runs a plain function dependency in a thread
    # pool, which cost more than the rest of a health probe together.
    state: AppState = request.app.state.totrackit
    return state


State = Annotated[AppState, Depends(app_state)]


async def _transaction(state: State) -> AsyncIterator[AsyncConnection]:
    """One transaction per request: committed when the handler succeeds, else rolled back."""
    async with state.db.begin() as conn:
        yield conn


# scope="function": commit when the handler returns, before the response is sent. By default
# FastAPI runs the code after ``yield`` once the response is out, so a client could read before
# the commit (and miss its own write), and a failing commit would follow a success answer.
Transaction = Annotated[AsyncConnection, Depends(_transaction, scope="function")]


async def _single_statements(state: State) -> AsyncIterator[AsyncConnection]:
    """For handlers whose each write is one SQL statement, atomic by itself.

    On PostgreSQL the connection autocommits: a transaction around one statement would cost a
    BEGIN and a COMMIT round trip, two of a create's three. SQLite writes a run's tag rows with
    a second statement and has no round trips to save, so there it is a transaction as above.
    """
    options = dialect.single_statement_options(state.db)
    if options is None:
        async with state.db.begin() as conn:
            yield conn
        return
    async with state.db.connect() as conn:
        yield await conn.execution_options(**options)


# Each statement is committed when it completes, so also before the response is sent. Handlers
# that write more than once in a request take a Transaction instead.
SingleStatements = Annotated[AsyncConnection, Depends(_single_statements, scope="function")]


async def require_json(request: Request) -> None:
    """Reject a request body that is not JSON with 415, as the original does."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return
    if await request.body():
        raise UnsupportedMediaType(
            f"Unsupported content type '{media_type}'; send application/json"
        )
