"""X-API-KEY protects /processes/** only (contract 1.11)."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"api_key": "test-key-123"}


@pytest.mark.parametrize("headers", [{}, {"X-API-KEY": "wrong"}, {"X-API-KEY": ""}])
async def test_missing_or_wrong_key_is_unauthorized(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/processes", headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "UNAUTHORIZED"
    assert body["message"] == "Missing or invalid X-API-KEY header"
    assert body["path"] == "/processes"


async def test_the_right_key_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.get("/processes", headers={"X-API-KEY": "test-key-123"})

    assert response.status_code == 200


async def test_every_method_and_unknown_paths_under_processes_are_guarded(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.post("/processes/p", json={"id": "abc"})).status_code == 401
    assert (await client.delete("/processes/p/abc")).status_code == 401
    assert (await client.get("/processes/p/abc/unknown/deeper")).status_code == 401


@pytest.mark.parametrize(
    "path", ["/health/live", "/analytics/summary", "/openapi.json", "/docs", "/processesx"]
)
async def test_other_paths_stay_open(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code != 401


@pytest.mark.parametrize("settings_overrides", [{"api_key": ""}])
async def test_a_blank_key_disables_the_check(client: httpx.AsyncClient) -> None:
    assert (await client.get("/processes")).status_code == 200
