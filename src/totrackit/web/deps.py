"""Request-scoped dependencies shared by the HTTP handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection

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
