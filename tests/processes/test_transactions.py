"""Every write is committed before its answer leaves, so a client always reads its own writes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.support import start_run
from totrackit.db.tables import processes


def seen_by_others_at_answer(client: httpx.AsyncClient) -> list[list[tuple[str, str]]]:
    """For each response of the app behind ``client``, the runs (id, status) that another
    connection reads at the moment the response starts, before any byte of it is sent."""
    snapshots: list[list[tuple[str, str]]] = []
    app: ASGIApp = client._transport.app  # type: ignore[attr-defined]
    db: AsyncEngine = app.state.totrackit.db  # type: ignore[attr-defined]

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_after_looking(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The request still holds its own connection: this is a second one.
                async with db.connect() as other:
                    query = select(processes.c.process_id, processes.c.status)
                    rows = (await other.execute(query.order_by(processes.c.id))).all()
                snapshots.append([(row.process_id, row.status) for row in rows])
            await send(message)

        await app(scope, receive, send_after_looking)

    client._transport.app = recording  # type: ignore[attr-defined]
    return snapshots


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "visible"),
    [
        (
            "POST",
            "/processes/billing",
            {"id": "run-2", "tags": [{"key": "country", "value": "DE"}]},
            201,
            [("run-1", "ACTIVE"), ("run-2", "ACTIVE")],
        ),
        (
            "PUT",
            "/processes/billing/run-1/complete",
            {"status": "FAILED"},
            200,
            [("run-1", "FAILED")],
        ),
        ("DELETE", "/processes/billing/run-1", None, 204, []),
    ],
)
async def test_the_write_is_committed_before_the_answer(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: Any,
    status: int,
    visible: list[tuple[str, str]],
) -> None:
    await start_run(client, "billing", "run-1")
    snapshots = seen_by_others_at_answer(client)

    response = await client.request(method, path, json=body)

    assert response.status_code == status
    assert snapshots == [visible]


async def test_a_refused_create_writes_nothing(client: httpx.AsyncClient) -> None:
    await start_run(client, "billing", "run-1", tags={"country": "DE"})

    again = await client.post(
        "/processes/billing", json={"id": "run-1", "tags": [{"key": "country", "value": "FR"}]}
    )
    listed = await client.get("/processes/", params={"tags": "country:FR"})

    assert again.status_code == 409
    assert listed.json()["total"] == 0
