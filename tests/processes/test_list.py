"""GET /processes: filters, sorting, tags and pagination (contract 1.7, 2.2)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import FakeClock, finish_run, start_run


async def ids(client: httpx.AsyncClient, query: str = "") -> list[str]:
    response = await client.get(f"/processes?{query}")
    assert response.status_code == 200, response.text
    return [run["id"] for run in response.json()["data"]]


async def page(client: httpx.AsyncClient, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/processes/?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestShape:
    async def test_an_empty_list_still_has_data_and_counts(self, client: httpx.AsyncClient) -> None:
        assert await page(client) == {
            "data": [],
            "total": 0,
            "limit": 20,
            "offset": 0,
            "has_more": False,
            "total_exact": True,
            "next_cursor": None,
            "total_estimate": None,
        }

    async def test_with_and_without_trailing_slash(self, client: httpx.AsyncClient) -> None:
        await start_run(client)

        with_slash = await client.get("/processes/")
        without = await client.get("/processes")

        assert with_slash.status_code == without.status_code == 200
        assert with_slash.json() == without.json()

    async def test_head_is_allowed(self, client: httpx.AsyncClient) -> None:
        assert (await client.head("/processes")).status_code in (200, 405)


class TestPagination:
    async def test_newest_first_in_pages(self, client: httpx.AsyncClient, clock: FakeClock) -> None:
        for index in range(5):
            await start_run(client, "p", f"run-{index}")
            clock.advance(seconds=1)

        first = await page(client, "limit=2")
        second = await page(client, "limit=2&offset=2")
        last = await page(client, "limit=2&offset=4")

        assert [r["id"] for r in first["data"]] == ["run-4", "run-3"]
        assert [r["id"] for r in second["data"]] == ["run-2", "run-1"]
        assert [r["id"] for r in last["data"]] == ["run-0"]
        assert (first["total"], first["has_more"]) == (5, True)
        assert (last["total"], last["has_more"]) == (5, False)

    async def test_an_offset_past_the_end_is_empty_with_the_total(
        self, client: httpx.AsyncClient
    ) -> None:
        await start_run(client, "p", "run-1")

        body = await page(client, "offset=10")

        assert (body["data"], body["total"], body["has_more"]) == ([], 1, False)

    async def test_same_start_second_is_broken_by_newest_insert(
        self, client: httpx.AsyncClient
    ) -> None:
        for index in range(3):
            await start_run(client, "p", f"run-{index}")

        assert await ids(client) == ["run-2", "run-1", "run-0"]

    @pytest.mark.parametrize(
        "query", ["limit=0", "limit=101", "limit=-1", "offset=-1", "limit=abc"]
    )
    async def test_out_of_range_paging_is_a_validation_error(
        self, client: httpx.AsyncClient, query: str
    ) -> None:
        response = await client.get(f"/processes?{query}")

        assert response.status_code == 400
        assert response.json()["error"] == "VALIDATION_ERROR"
        assert response.json()["details"][0]["field"] in ("limit", "offset")

    @pytest.mark.parametrize("settings_overrides", [{"list_exact_count_limit": 3}])
    async def test_totals_above_the_exact_count_limit_are_a_flagged_lower_bound(
        self, client: httpx.AsyncClient
    ) -> None:
        for index in range(6):
            await start_run(client, "p", f"run-{index}")

        body = await page(client, "limit=2")

        assert body["total_exact"] is False
        assert body["total"] == 4
        assert body["has_more"] is True


class TestFilters:
    async def test_name_id_and_status(self, client: httpx.AsyncClient) -> None:
        await start_run(client, "a", "run-1")
        await start_run(client, "a", "run-2")
        await start_run(client, "b", "run-1")
        await finish_run(client, "a", "run-2")

        assert await ids(client, "name=a") == ["run-2", "run-1"]
        assert sorted(await ids(client, "id=run-1")) == ["run-1", "run-1"]
        assert await ids(client, "name=a&status=COMPLETED") == ["run-2"]
        assert await ids(client, "name=a&status=active") == ["run-1"]

    async def test_an_invalid_status_is_a_validation_error(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/processes?status=DONE")

        assert response.status_code == 400
        assert response.json()["details"][0]["field"] == "status"

    async def test_deadline_status_translates_each_state(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "missed", deadline=clock.epoch(minutes=1))
        await start_run(client, "p", "on-track", deadline=clock.epoch(hours=2))
        await start_run(client, "p", "on-time", deadline=clock.epoch(hours=2))
        await start_run(client, "p", "late", deadline=clock.epoch(minutes=1))
        await start_run(client, "p", "no-deadline")
        await finish_run(client, "p", "on-time")
        clock.advance(minutes=5)
        await finish_run(client, "p", "late")

        assert await ids(client, "deadlineStatus=MISSED") == ["missed"]
        assert await ids(client, "deadlineStatus=ON_TRACK") == ["on-track"]
        assert await ids(client, "deadlineStatus=COMPLETED_ON_TIME") == ["on-time"]
        assert await ids(client, "deadlineStatus=COMPLETED_LATE") == ["late"]
        assert (await client.get("/processes?deadlineStatus=LATE")).status_code == 400

    async def test_deadline_range_is_strict_and_skips_runs_without_deadline(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        for minutes in (10, 20, 30):
            await start_run(client, "p", f"d{minutes}", deadline=clock.epoch(minutes=minutes))
        await start_run(client, "p", "none")
        ten, thirty = clock.epoch(minutes=10), clock.epoch(minutes=30)

        assert await ids(client, f"deadlineAfter={ten}&deadlineBefore={thirty}") == ["d20"]
        assert await ids(client, f"deadlineBefore={thirty}") == ["d20", "d10"]

    async def test_running_duration_is_minutes_and_active_only(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "old")
        await start_run(client, "p", "old-done")
        await finish_run(client, "p", "old-done")
        clock.advance(minutes=30)
        await start_run(client, "p", "young")

        assert await ids(client, "runningDurationMin=15") == ["old"]

    @pytest.mark.parametrize("query", ["page=3&size=10", "stauts=FAILED", "namespace_id=1"])
    async def test_unknown_parameters_are_ignored_as_by_the_original(
        self, client: httpx.AsyncClient, query: str
    ) -> None:
        # Clients of the original may send parameters it never knew (api.yaml's page, size and
        # namespace_id): refusing them would break those clients.
        await start_run(client)

        assert len(await ids(client, query)) == 1


class TestTags:
    @pytest.fixture(autouse=True)
    async def seeded(self, client: httpx.AsyncClient) -> None:
        await start_run(client, "p", "de-web", tags={"country": "DE", "channel": "web"})
        await start_run(client, "p", "de-app", tags={"country": "DE", "channel": "app"})
        await start_run(client, "p", "fr-web", tags={"country": "FR", "channel": "web"})

    async def test_one_tag(self, client: httpx.AsyncClient) -> None:
        assert await ids(client, "tags=country:DE") == ["de-app", "de-web"]

    async def test_two_tags_combine_with_and(self, client: httpx.AsyncClient) -> None:
        assert await ids(client, "tags=country:DE,channel:web") == ["de-web"]

    async def test_key_and_value_must_sit_in_the_same_tag(self, client: httpx.AsyncClient) -> None:
        assert await ids(client, "tags=country:web") == []

    async def test_a_later_duplicate_key_wins(self, client: httpx.AsyncClient) -> None:
        assert await ids(client, "tags=country:DE,country:FR") == ["fr-web"]

    async def test_whitespace_is_trimmed_and_empty_pieces_skipped(
        self, client: httpx.AsyncClient
    ) -> None:
        assert await ids(client, "tags= country : FR ,,") == ["fr-web"]

    @pytest.mark.parametrize(
        ("tags", "piece"),
        [
            ("country", "country"),
            ("country:", "country:"),
            (":DE", ":DE"),
            ("country:DE,nocolon", "nocolon"),
            ("country: ", "country:"),
        ],
    )
    async def test_a_malformed_pair_is_a_validation_error_naming_tags(
        self, client: httpx.AsyncClient, tags: str, piece: str
    ) -> None:
        # The original skipped such pieces and answered unfiltered, which looks like a match.
        response = await client.get("/processes", params={"tags": tags})

        assert response.status_code == 400
        assert response.json()["error"] == "VALIDATION_ERROR"
        assert response.json()["details"] == [
            {
                "field": "tags",
                "message": f"'{piece}' is not key:value (both non-empty)",
                "rejected_value": tags,
            }
        ]

    async def test_an_empty_tags_parameter_is_no_tag_filter(
        self, client: httpx.AsyncClient
    ) -> None:
        assert len(await ids(client, "tags=")) == 3

    async def test_the_value_may_contain_colons(self, client: httpx.AsyncClient) -> None:
        await start_run(client, "p", "url", tags={"source": "http://x"})

        assert await ids(client, "tags=source:http://x") == ["url"]

    async def test_tags_combine_with_other_filters(self, client: httpx.AsyncClient) -> None:
        await finish_run(client, "p", "de-web")

        assert await ids(client, "tags=country:DE&status=ACTIVE") == ["de-app"]


class TestSorting:
    @pytest.fixture(autouse=True)
    async def seeded(self, client: httpx.AsyncClient, clock: FakeClock) -> None:
        # aaa: done after 1 minute; bbb: running 11 minutes; ccc: running 10 minutes, no deadline
        await start_run(client, "beta", "aaa", deadline=clock.epoch(hours=2))
        clock.advance(minutes=1)
        await finish_run(client, "beta", "aaa")
        await start_run(client, "alpha", "bbb", deadline=clock.epoch(hours=3))
        clock.advance(minutes=1)
        await start_run(client, "gamma", "ccc")
        clock.advance(minutes=10)

    @pytest.mark.parametrize(
        ("sort_by", "expected"),
        [
            ("", ["ccc", "bbb", "aaa"]),
            ("started_at:desc", ["ccc", "bbb", "aaa"]),
            ("started_at:asc", ["aaa", "bbb", "ccc"]),
            ("name:asc", ["bbb", "aaa", "ccc"]),
            ("name", ["bbb", "aaa", "ccc"]),
            ("NAME:DESC", ["ccc", "aaa", "bbb"]),
            ("deadline:asc", ["aaa", "bbb", "ccc"]),
            ("deadline:desc", ["bbb", "aaa", "ccc"]),
            ("completed_at:desc", ["aaa", "ccc", "bbb"]),
            ("completed_at:asc", ["aaa", "ccc", "bbb"]),
            ("status:asc", ["ccc", "bbb", "aaa"]),
            ("duration:desc", ["bbb", "ccc", "aaa"]),
            ("duration:asc", ["aaa", "ccc", "bbb"]),
            ("name:asc,started_at:desc", ["bbb", "aaa", "ccc"]),
            ("bogus", ["aaa", "bbb", "ccc"]),
            ("bogus:desc", ["ccc", "bbb", "aaa"]),
            ("name:sideways", ["ccc", "aaa", "bbb"]),
        ],
    )
    async def test_sort_by(
        self, client: httpx.AsyncClient, sort_by: str, expected: list[str]
    ) -> None:
        assert await ids(client, f"sort_by={sort_by}") == expected


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_common_tag_lists_a_page_with_a_lower_bound_total(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("totrackit.processes.service.TAG_PROBE_LIMIT", 2)
    for index in range(5):
        await start_run(client, "p", f"run-{index}", tags={"country": "DE"})
    await start_run(client, "p", "other", tags={"country": "FR"})

    body = await page(client, "tags=country:DE&limit=2")

    assert [run["id"] for run in body["data"]] == ["run-4", "run-3"]
    assert (body["total"], body["total_exact"], body["has_more"]) == (3, False, True)
    assert [run["id"] for run in (await page(client, "tags=country:DE&offset=4"))["data"]] == [
        "run-0"
    ]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("name=a%00b", "name"), ("id=a%00b", "id"), ("tags=k:v%00", "tags")],
)
async def test_a_nul_character_in_a_text_filter_is_a_validation_error_not_a_crash(
    client: httpx.AsyncClient, query: str, parameter: str
) -> None:
    response = await client.get(f"/processes?{query}")

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in response.json()["details"]] == [parameter]
