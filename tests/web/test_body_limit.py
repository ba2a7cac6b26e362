"""Request body size limit (TOTRACKIT_MAX_BODY_BYTES): 413 with the error body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.support.servers import running_server
from tests.web.conftest import MakeApp, client_for

LIMIT = 1024


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"max_body_bytes": LIMIT}


def run_body(size: int) -> bytes:
    """A create-run body of exactly ``size`` bytes (padded in its context)."""
    empty = orjson.dumps({"id": "run-1", "context": {"pad": ""}})
    return orjson.dumps({"id": "run-1", "context": {"pad": "x" * (size - len(empty))}})


async def chunks(body: bytes, size: int = 256) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(response: httpx.Response, path: str) -> None:
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "PAYLOAD_TOO_LARGE"
    assert body["message"] == f"Request body larger than {LIMIT} bytes"
    assert body["path"] == path


async def test_a_declared_oversize_body_is_refused_unread(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/processes/p", content=run_body(LIMIT + 1), headers={"content-type": "application/json"}
    )

    assert_too_large(response, "/processes/p")


async def test_a_streamed_oversize_body_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/processes/p",
        content=chunks(run_body(LIMIT * 3)),
        headers={"content-type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert_too_large(response, "/processes/p")


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_body_at_the_limit_is_accepted(client: httpx.AsyncClient, streamed: bool) -> None:
    body = run_body(LIMIT)
    response = await client.post(
        "/processes/p",
        content=chunks(body) if streamed else body,
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 201


async def test_zero_disables_the_limit(make_app: MakeApp) -> None:
    app = await make_app(max_body_bytes=0)
    async with client_for(app) as client:
        response = await client.post(
            "/processes/p",
            content=run_body(2 * 1024 * 1024),
            headers={"content-type": "application/json"},
        )

    assert response.status_code == 201


async def test_the_default_limit_is_one_mebibyte(make_app: MakeApp) -> None:
    app = await make_app()
    async with client_for(app) as client:
        response = await client.post("/processes/p", content=b"{" + b" " * (1024 * 1024))

    assert response.status_code == 413


def test_a_real_server_refuses_declared_and_chunked_oversize_bodies(tmp_path: Path) -> None:
    env = {"TOTRACKIT_MAX_BODY_BYTES": str(LIMIT), "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0"}
    headers = {"content-type": "application/json"}
    with running_server(data_dir=tmp_path, command="api", env=env) as server:
        declared = httpx.post(f"{server.url}/processes/p", content=run_body(4096), headers=headers)
        chunked = httpx.post(
            f"{server.url}/processes/p",
            content=iter([run_body(4096)[:2048], run_body(4096)[2048:]]),
            headers=headers,
        )
        fine = httpx.post(f"{server.url}/processes/p", content=run_body(LIMIT), headers=headers)

    assert_too_large(declared, "/processes/p")
    assert "content-length" not in chunked.request.headers
    assert_too_large(chunked, "/processes/p")
    assert fine.status_code == 201
