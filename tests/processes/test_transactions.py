"""Every write is committed before its answer leaves, so a client always reads its own writes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.support import start_run


def record_order(client: httpx.AsyncClient) -> list[str]:
    """Note each commit and each response start of the app behind ``client``, in order."""
    order: list[str] = []
    app: ASGIApp = client._transport.app  # type: ignore[attr-defined]
    db: AsyncEngine = app.state.totrackit.db  # type: ignore[attr-defined]
    event.listen(db.sync_engine, "commit", lambda _conn: order.append("commit"))

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                order.append(f"response {message['status']}")
            await send(message)

        await app(scope, receive, send_and_note)

    client._transport.app = recording  # type: ignore[attr-defined]
    return order


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/processes/billing", {"id": "run-2"}, 201),
        ("PUT", "/processes/billing/run-1/complete", {"status": "FAILED"}, 200),
        ("DELETE", "/processes/billing/run-1", None, 204),
    ],
)
async def test_the_commit_comes_before_the_answer(
    client: httpx.AsyncClient, method: str, path: str, body: Any, status: int
) -> None:
    await start_run(client, "billing", "run-1")
    order = record_order(client)

    response = await client.request(method, path, json=body)

    assert response.status_code == status
    assert order == ["commit", f"response {status}"]
