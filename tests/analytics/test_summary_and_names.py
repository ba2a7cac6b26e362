"""GET /analytics/summary and /analytics/names (contract 3.2, 3.3)."""

from __future__ import annotations

import httpx
import pytest

from tests.support import FakeClock, finish_run, start_run


async def test_summary_counts_every_state(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await start_run(client, "p", "overdue", deadline=clock.epoch(minutes=1))
    await start_run(client, "p", "on-track", deadline=clock.epoch(hours=2))
    await start_run(client, "p", "open")
    await start_run(client, "p", "on-time", deadline=clock.epoch(hours=2))
    await start_run(client, "p", "late", deadline=clock.epoch(minutes=1))
    await start_run(client, "p", "old", deadline=clock.epoch(hours=1))
    await start_run(client, "p", "failed")
    await finish_run(client, "p", "old")
    clock.advance(hours=25)
    await start_run(client, "p", "fresh")
    await finish_run(client, "p", "on-time")
    await finish_run(client, "p", "late")
    await finish_run(client, "p", "failed", "FAILED")

    response = await client.get("/analytics/summary")

    assert response.status_code == 200
    assert response.json() == {
        "generated_at": clock.epoch(),
        "total": 8,
        "active": 4,
        "completed": 3,
        "failed": 1,
        "overdue": 2,
        "on_track": 0,
        "completed_on_time": 1,
        "completed_late": 2,
        "completed_24h": 2,
        "completed_on_time_24h": 0,
        "failed_24h": 1,
    }


async def test_summary_of_an_empty_workspace_is_all_zero(client: httpx.AsyncClient) -> None:
    body = (await client.get("/analytics/summary")).json()

    assert {key: value for key, value in body.items() if key != "generated_at"} == dict.fromkeys(
        body.keys() - {"generated_at"}, 0
    )


async def test_names_roll_up_per_name_busiest_first(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await start_run(client, "small", "run-1")
    await start_run(client, "busy", "overdue", deadline=clock.epoch(minutes=1))
    await start_run(client, "busy", "late", deadline=clock.epoch(minutes=1))
    clock.advance(minutes=5)
    await finish_run(client, "busy", "late")

    body = (await client.get("/analytics/names")).json()

    assert body["total"] == 2
    assert (body["limit"], body["offset"], body["has_more"]) == (20, 0, False)
    assert body["data"][0] == {
        "name": "busy",
        "total": 2,
        "active": 1,
        "failed": 0,
        "overdue": 1,
        "completed": 1,
        "completed_on_time": 0,
        "completed_late": 1,
        "last_started_at": clock.epoch(minutes=-5),
    }
    assert body["data"][1]["name"] == "small"


async def test_names_are_paginated(client: httpx.AsyncClient) -> None:
    for name in ("a", "b", "c"):
        await start_run(client, name, "run-1")

    body = (await client.get("/analytics/names?limit=2&offset=1")).json()

    assert [row["name"] for row in body["data"]] == ["b", "c"]
    assert (body["total"], body["has_more"]) == (3, False)
    assert (await client.get("/analytics/names?limit=2")).json()["has_more"] is True


async def test_an_empty_workspace_has_no_names(client: httpx.AsyncClient) -> None:
    body = (await client.get("/analytics/names")).json()

    assert body == {"data": [], "total": 0, "limit": 20, "offset": 0, "has_more": False}


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1"])
async def test_names_paging_out_of_range_is_a_validation_error(
    client: httpx.AsyncClient, query: str
) -> None:
    assert (await client.get(f"/analytics/names?{query}")).status_code == 400
