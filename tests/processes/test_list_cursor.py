"""GET /processes?cursor=...: keyset paging, an addition to offset paging (contract rule 9).

A cursor walk must list exactly the runs offset paging lists, in the same order, for every sort
a cursor can continue, ties and NULLs included.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import FakeClock, finish_run, start_run


async def get_page(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.get(f"/processes?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def walk(client: httpx.AsyncClient, query: str) -> list[list[str]]:
    """Every page of ``query`` by following next_cursor; the ids of each page."""
    pages, cursor = [], None
    while True:
        body = await get_page(client, query + (f"&cursor={cursor}" if cursor else ""))
        pages.append([run["id"] for run in body["data"]])
        assert body["has_more"] is (body["next_cursor"] is not None)
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def by_offset(client: httpx.AsyncClient, query: str, size: int, count: int) -> list[str]:
    ids = []
    for offset in range(0, count, size):
        body = await get_page(client, f"{query}&offset={offset}")
        ids += [run["id"] for run in body["data"]]
    return ids


@pytest.fixture
async def seven_runs(client: httpx.AsyncClient, clock: FakeClock) -> None:
    """Seven runs over four distinct start seconds (ties broken by id), in two names, some
    finished, some without a deadline (NULLs sort last)."""
    for index in range(7):
        deadline = clock.epoch(hours=1 + index % 3) if index % 2 else None
        await start_run(client, "alpha" if index % 3 else "beta", f"run-{index}", deadline=deadline)
        if index % 2 == 0:
            clock.advance(seconds=1)
    for index in (1, 2, 5):
        await finish_run(client, "alpha" if index % 3 else "beta", f"run-{index}")
        clock.advance(seconds=1)


@pytest.mark.usefixtures("seven_runs")
@pytest.mark.parametrize(
    "sort_by",
    [
        "",
        "started_at:asc",
        "name:asc",
        "name:desc",
        "status:asc",
        "deadline:asc",
        "deadline:desc",
        "completed_at:desc",
        "completed_at:asc",
    ],
)
async def test_a_cursor_walk_lists_what_offset_paging_lists(
    client: httpx.AsyncClient, sort_by: str
) -> None:
    query = f"limit=2&sort_by={sort_by}"

    pages = await walk(client, query)

    assert [len(ids) for ids in pages] == [2, 2, 2, 1]
    assert [run for ids in pages for run in ids] == await by_offset(client, query, 2, 7)


@pytest.mark.usefixtures("seven_runs")
async def test_a_cursor_keeps_the_filters_and_the_total(client: httpx.AsyncClient) -> None:
    first = await get_page(client, "name=alpha&limit=2")
    second = await get_page(client, f"name=alpha&limit=2&cursor={first['next_cursor']}")

    assert [run["name"] for run in first["data"] + second["data"]] == ["alpha"] * 4
    assert (second["total"], second["total_exact"], second["offset"]) == (4, True, 0)
    assert (second["has_more"], second["next_cursor"]) == (False, None)


async def test_runs_started_after_the_first_page_do_not_shift_the_next(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    for index in range(4):
        await start_run(client, "p", f"run-{index}")
        clock.advance(seconds=1)
    first = await get_page(client, "limit=2")
    await start_run(client, "p", "newer")

    second = await get_page(client, f"limit=2&cursor={first['next_cursor']}")

    assert [run["id"] for run in second["data"]] == ["run-1", "run-0"]


async def test_the_last_page_has_no_cursor(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1")

    body = await get_page(client, "limit=5")

    assert (body["next_cursor"], body["has_more"]) == (None, False)


async def test_duration_sorted_pages_have_no_cursor(client: httpx.AsyncClient) -> None:
    for index in range(3):
        await start_run(client, "p", f"run-{index}")

    body = await get_page(client, "limit=2&sort_by=duration")

    assert (body["has_more"], body["next_cursor"]) == (True, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WyJzdGFydGVkX2F0IiwgdHJ1ZV0", "cursor"),  # valid base64 JSON, wrong shape
        ("sort_by=duration&cursor=abc", "cursor"),
        ("sort_by=name:asc&cursor={started}", "cursor"),
        ("offset=2&cursor={started}", "offset"),
    ],
)
async def test_a_cursor_that_cannot_continue_this_list_is_a_400_naming_it(
    client: httpx.AsyncClient, query: str, field: str
) -> None:
    for index in range(3):
        await start_run(client, "p", f"run-{index}")
    started = (await get_page(client, "limit=1"))["next_cursor"]

    response = await client.get(f"/processes?{query.format(started=started)}")

    assert response.status_code == 400, response.text
    assert [detail["field"] for detail in response.json()["details"]] == [field]


@pytest.mark.parametrize("settings_overrides", [{"list_exact_count_limit": 3}])
async def test_a_capped_total_comes_with_the_databases_estimate(
    client: httpx.AsyncClient, database_url: str
) -> None:
    for index in range(6):
        await start_run(client, "p", f"run-{index}")

    body = await get_page(client, "limit=2")

    assert (body["total"], body["total_exact"]) == (4, False)
    if database_url.startswith("postgresql"):
        assert isinstance(body["total_estimate"], int) and body["total_estimate"] >= 0
    else:
        assert body["total_estimate"] is None


async def test_an_exact_total_has_no_estimate(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1")

    assert (await get_page(client, ""))["total_estimate"] is None
