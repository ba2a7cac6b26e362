"""GET, PUT .../complete and DELETE on one run (contract 1.4-1.6, 2.1, 2.4)."""

from __future__ import annotations

import httpx
import pytest

from tests.support import FakeClock, finish_run, start_run


class TestGet:
    async def test_returns_the_run(self, client: httpx.AsyncClient) -> None:
        created = await start_run(client, "p", "run-1", tags={"country": "DE"})

        response = await client.get("/processes/p/run-1")

        assert response.status_code == 200
        assert response.json() == created

    async def test_unknown_run_is_not_found(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/processes/p/nope")

        assert response.status_code == 404
        assert response.json()["error"] == "PROCESS_NOT_FOUND"
        assert response.json()["message"] == "Process not found: name='p', id='nope'"

    @pytest.mark.parametrize(
        "path", ["/processes/" + "x" * 101 + "/abc", "/processes/p/" + "y" * 51]
    )
    async def test_overlong_name_or_id_is_a_validation_error(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)

        assert response.status_code == 400
        assert response.json()["error"] == "VALIDATION_ERROR"

    async def test_a_one_character_id_can_be_looked_up(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/processes/p/x")).status_code == 404

    async def test_duration_grows_while_active(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "run-1")
        clock.advance(seconds=90)

        assert (await client.get("/processes/p/run-1")).json()["duration"] == 90

    async def test_reused_id_prefers_the_active_run(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "run-1")
        await finish_run(client, "p", "run-1")
        clock.advance(minutes=5)
        await start_run(client, "p", "run-1", tags={"attempt": "2"})

        body = (await client.get("/processes/p/run-1")).json()

        assert body["status"] == "ACTIVE"
        assert body["tags"] == [{"key": "attempt", "value": "2"}]

    async def test_reused_id_without_active_run_gives_the_newest(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "run-1")
        await finish_run(client, "p", "run-1")
        clock.advance(minutes=5)
        await start_run(client, "p", "run-1")
        await finish_run(client, "p", "run-1", "FAILED")

        body = (await client.get("/processes/p/run-1")).json()

        assert body["status"] == "FAILED"
        assert body["started_at"] == clock.epoch()


class TestDeadlineStatus:
    async def test_missed_only_strictly_after_the_deadline(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "run-1", deadline=clock.epoch(minutes=10))

        clock.advance(minutes=10)
        at_deadline = (await client.get("/processes/p/run-1")).json()
        clock.advance(seconds=1)
        after = (await client.get("/processes/p/run-1")).json()

        assert at_deadline["deadline_status"] == "ON_TRACK"
        assert after["deadline_status"] == "MISSED"

    async def test_completed_on_time_and_late(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "early", deadline=clock.epoch(minutes=10))
        await start_run(client, "p", "late", deadline=clock.epoch(minutes=10))
        clock.advance(minutes=10)
        on_time = await finish_run(client, "p", "early")
        clock.advance(microseconds=500_000)
        late = await finish_run(client, "p", "late")

        assert on_time["deadline_status"] == "COMPLETED_ON_TIME"
        # Half a second late is late, even though both report the same epoch second.
        assert late["deadline_status"] == "COMPLETED_LATE"
        assert late["completed_at"] == late["deadline"]

    async def test_failed_runs_have_no_deadline_status(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "run-1", deadline=clock.epoch(minutes=10))

        failed = await finish_run(client, "p", "run-1", "FAILED")

        assert failed["deadline_status"] is None
        assert failed["completed_at"] == clock.epoch()


class TestComplete:
    async def test_completes_with_timestamp_and_exact_duration(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await start_run(client, "p", "run-1")
        clock.advance(hours=1)

        body = await finish_run(client, "p", "run-1")

        assert body["status"] == "COMPLETED"
        assert body["completed_at"] == clock.epoch()
        assert body["duration"] == 3600

    @pytest.mark.parametrize("kwargs", [{}, {"json": {}}, {"json": {"status": "COMPLETED"}}])
    async def test_no_body_or_empty_body_means_completed(
        self, client: httpx.AsyncClient, kwargs: dict[str, object]
    ) -> None:
        await start_run(client, "p", "run-1")

        response = await client.put("/processes/p/run-1/complete", **kwargs)  # type: ignore[arg-type]

        assert response.status_code == 200
        assert response.json()["status"] == "COMPLETED"

    async def test_fail_sets_status_failed(self, client: httpx.AsyncClient) -> None:
        await start_run(client, "p", "run-1")

        assert (await finish_run(client, "p", "run-1", "FAILED"))["status"] == "FAILED"

    @pytest.mark.parametrize("first", ["COMPLETED", "FAILED"])
    async def test_finishing_twice_is_a_conflict(
        self, client: httpx.AsyncClient, first: str
    ) -> None:
        await start_run(client, "p", "run-1")
        await finish_run(client, "p", "run-1", first)

        response = await client.put("/processes/p/run-1/complete", json={"status": "COMPLETED"})

        assert response.status_code == 409
        assert response.json()["error"] == "PROCESS_ALREADY_COMPLETED"
        assert response.json()["message"] == "Process is already completed: name='p', id='run-1'"

    async def test_completing_with_active_is_rejected_before_lookup(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.put("/processes/p/missing/complete", json={"status": "ACTIVE"})

        assert response.status_code == 400
        assert response.json()["error"] == "INVALID_ARGUMENT"
        assert response.json()["message"] == "Cannot complete process with ACTIVE status"

    @pytest.mark.parametrize("status", ["active", " Active "])
    async def test_active_in_any_case_is_the_same_business_rule(
        self, client: httpx.AsyncClient, status: str
    ) -> None:
        response = await client.put("/processes/p/missing/complete", json={"status": status})

        assert response.status_code == 400
        assert response.json()["error"] == "INVALID_ARGUMENT"

    @pytest.mark.parametrize(
        ("sent", "stored"),
        [
            ("failed", "FAILED"),
            ("Failed", "FAILED"),
            ("completed", "COMPLETED"),
            (" FAILED ", "FAILED"),
        ],
    )
    async def test_status_is_accepted_in_any_case_as_list_filters_are(
        self, client: httpx.AsyncClient, sent: str, stored: str
    ) -> None:
        await start_run(client, "p", "run-1")

        response = await client.put("/processes/p/run-1/complete", json={"status": sent})

        assert response.status_code == 200, response.text
        assert response.json()["status"] == stored
        assert (await client.get(f"/processes?status={sent.strip()}")).json()["total"] == 1

    @pytest.mark.parametrize("status", ["DONE", "", 1, None, ["FAILED"]])
    async def test_unknown_status_is_a_validation_error_offering_only_valid_values(
        self, client: httpx.AsyncClient, status: object
    ) -> None:
        await start_run(client, "p", "run-1")

        response = await client.put("/processes/p/run-1/complete", json={"status": status})

        assert response.status_code == 400
        assert response.json()["error"] == "VALIDATION_ERROR"
        assert response.json()["details"] == [
            {"field": "status", "message": "must be COMPLETED or FAILED", "rejected_value": status}
        ]

    async def test_unknown_run_is_not_found(self, client: httpx.AsyncClient) -> None:
        response = await client.put("/processes/p/missing/complete")

        assert response.status_code == 404

    async def test_post_is_not_the_complete_method(self, client: httpx.AsyncClient) -> None:
        await start_run(client, "p", "run-1")

        assert (await client.post("/processes/p/run-1/complete")).status_code == 405


class TestDelete:
    async def test_delete_then_get_is_not_found(self, client: httpx.AsyncClient) -> None:
        await start_run(client, "p", "run-1", tags={"country": "DE"})

        response = await client.delete("/processes/p/run-1")

        assert response.status_code == 204
        assert response.content == b""
        assert (await client.get("/processes/p/run-1")).status_code == 404
        assert (await client.get("/processes?tags=country:DE")).json()["total"] == 0

    async def test_deleting_an_unknown_run_is_not_found(self, client: httpx.AsyncClient) -> None:
        assert (await client.delete("/processes/p/none")).status_code == 404

    async def test_delete_removes_the_active_run_of_a_reused_id(
        self, client: httpx.AsyncClient
    ) -> None:
        await start_run(client, "p", "run-1")
        await finish_run(client, "p", "run-1")
        await start_run(client, "p", "run-1")

        await client.delete("/processes/p/run-1")

        assert (await client.get("/processes/p/run-1")).json()["status"] == "COMPLETED"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/processes/p/ab%00c"),
        ("PUT", "/processes/p/ab%00c/complete"),
        ("DELETE", "/processes/p/ab%00c"),
    ],
)
async def test_a_nul_character_in_the_id_is_a_validation_error_not_a_crash(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in response.json()["details"]] == ["process_id"]
