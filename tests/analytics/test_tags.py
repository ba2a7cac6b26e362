"""GET /analytics/tags: what the problem runs have in common (contract 3.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import FakeClock, finish_run, start_run


async def tag_impact(client: httpx.AsyncClient, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/analytics/tags?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_overdue_runs_rank_their_tags_first(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await start_run(client, "p", "de-1", deadline=clock.epoch(minutes=1), tags={"country": "DE"})
    await start_run(client, "p", "fr-1", deadline=clock.epoch(hours=5), tags={"country": "FR"})
    clock.advance(minutes=2)

    body = await tag_impact(client)

    assert (body["total_processes"], body["problem_processes"]) == (2, 1)
    assert body["window_hours"] == 24
    assert body["generated_at"] == clock.epoch()
    de, fr = body["tags"]
    assert de == {
        "key": "country",
        "value": "DE",
        "overdue": 1,
        "on_track": 0,
        "completed_late": 0,
        "completed_on_time": 0,
        "failed": 0,
        "total": 1,
        "problems": 1,
        "duration": None,
    }
    assert (fr["value"], fr["on_track"], fr["problems"]) == ("FR", 1, 0)


async def test_an_empty_workspace_has_empty_tags(client: httpx.AsyncClient) -> None:
    body = await tag_impact(client)

    assert body["tags"] == []
    assert (body["total_processes"], body["problem_processes"], body["duration"]) == (0, 0, None)


async def test_a_name_with_no_runs_matches_nothing(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1", tags={"country": "DE"})

    body = await tag_impact(client, "name=unknown")

    assert (body["total_processes"], body["tags"]) == (0, [])


async def test_durations_use_interpolated_percentiles(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await start_run(client, "p", "fast", tags={"country": "DE"})
    await start_run(client, "p", "slow", tags={"country": "DE"})
    clock.advance(seconds=100)
    await finish_run(client, "p", "fast")
    clock.advance(seconds=200)
    await finish_run(client, "p", "slow")

    body = await tag_impact(client)

    expected = {
        "count": 2,
        "avg_seconds": 200.0,
        "p50_seconds": 200.0,
        "p90_seconds": 280.0,
        "p99_seconds": 298.0,
    }
    assert body["duration"] == expected
    assert body["tags"][0]["duration"] == expected


async def test_percentiles_over_many_runs_match_the_reference(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    durations = [7, 3, 15, 1, 9, 30, 12, 5, 22, 2, 60]
    for index, _ in enumerate(durations):
        await start_run(client, "p", f"run-{index:03}", tags={"k": "v"})
    for offset in range(1, 61):
        clock.advance(seconds=1)
        for index, duration in enumerate(durations):
            if duration == offset:
                await finish_run(client, "p", f"run-{index:03}")

    stats = (await tag_impact(client))["duration"]

    # percentile_cont over [1,2,3,5,7,9,12,15,22,30,60]: p50 = 9, p90 = 30, p99 = 30 + 0.9 * 30
    assert stats == {
        "count": 11,
        "avg_seconds": 15.1,
        "p50_seconds": 9.0,
        "p90_seconds": 30.0,
        "p99_seconds": 57.0,
    }


async def test_the_window_excludes_old_completions_but_never_active_runs(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await start_run(client, "p", "old", tags={"k": "v"})
    await start_run(client, "p", "active", tags={"k": "v"})
    await finish_run(client, "p", "old")
    clock.advance(hours=48)

    day = await tag_impact(client, "window_hours=24")
    week = await tag_impact(client, "window_hours=168")

    assert day["total_processes"] == 1
    assert week["total_processes"] == 2


async def test_failed_runs_are_problems_without_durations(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await start_run(client, "p", "run-1", tags={"k": "v"})
    clock.advance(seconds=10)
    await finish_run(client, "p", "run-1", "FAILED")

    body = await tag_impact(client)

    entry = body["tags"][0]
    assert (entry["failed"], entry["problems"], entry["duration"]) == (1, 1, None)
    assert body["problem_processes"] == 1


async def test_late_completions_and_runs_without_deadline(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await start_run(client, "p", "late", deadline=clock.epoch(seconds=30), tags={"k": "v"})
    await start_run(client, "p", "no-deadline", tags={"k": "v"})
    await start_run(client, "p", "open-ended", tags={"k": "v"})
    clock.advance(minutes=1)
    await finish_run(client, "p", "late")
    await finish_run(client, "p", "no-deadline")

    entry = (await tag_impact(client))["tags"][0]

    assert (entry["completed_late"], entry["completed_on_time"], entry["on_track"]) == (1, 1, 1)


async def test_untagged_runs_count_only_in_the_totals(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1")

    body = await tag_impact(client)

    assert (body["total_processes"], body["tags"]) == (1, [])


async def test_a_run_counts_once_per_tag_it_carries(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1", tags={"country": "DE", "channel": "web"})

    tags = (await tag_impact(client))["tags"]

    assert [(t["key"], t["value"], t["total"]) for t in tags] == [
        ("channel", "web", 1),
        ("country", "DE", 1),
    ]


async def test_at_most_one_hundred_tag_rows(client: httpx.AsyncClient) -> None:
    for index in range(6):
        tags = [(f"k{index}-{j}", "v") for j in range(20)]
        await start_run(client, "p", f"run-{index}", tags=tags)

    assert len((await tag_impact(client))["tags"]) == 100


@pytest.mark.parametrize("query", ["window_hours=0", "window_hours=721", "window_hours=1.5"])
async def test_window_out_of_range_is_a_validation_error(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.get(f"/analytics/tags?{query}")

    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "window_hours"


async def test_a_nul_character_in_the_name_is_a_validation_error_not_a_crash(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/analytics/tags?name=a%00b")

    assert response.status_code == 400, response.text
    assert [detail["field"] for detail in response.json()["details"]] == ["name"]
