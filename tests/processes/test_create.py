"""POST /processes/{name}: starting a run (contract 1.3)."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.support import FakeClock, start_run


async def test_a_new_run_is_active_and_on_track(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    response = await client.post(
        "/processes/account-activation",
        json={
            "id": "run-001",
            "deadline": clock.epoch(hours=1),
            "tags": [{"key": "country", "value": "DE"}],
            "context": {"customerId": "C1234", "nested": {"a": [1, 2]}},
        },
    )

    assert response.status_code == 201
    assert response.json() == {
        "id": "run-001",
        "name": "account-activation",
        "status": "ACTIVE",
        "deadline_status": "ON_TRACK",
        "started_at": clock.epoch(),
        "completed_at": None,
        "deadline": clock.epoch(hours=1),
        "tags": [{"key": "country", "value": "DE"}],
        "context": {"customerId": "C1234", "nested": {"a": [1, 2]}},
        "duration": 0,
    }


async def test_arrays_and_objects_are_always_present(client: httpx.AsyncClient) -> None:
    body = await start_run(client)

    assert body["tags"] == []
    assert body["context"] == {}
    assert body["deadline_status"] is None
    assert body["deadline"] is None


async def test_tags_keep_their_order_and_duplicate_keys(client: httpx.AsyncClient) -> None:
    tags = [("env", "prod"), ("country", "DE"), ("env", "canary")]

    body = await start_run(client, tags=tags)

    assert body["tags"] == [{"key": k, "value": v} for k, v in tags]


async def test_unknown_fields_are_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post("/processes/p", json={"id": "abc", "status": "COMPLETED", "x": 1})

    assert response.status_code == 201
    assert response.json()["status"] == "ACTIVE"


async def test_a_deadline_within_the_skew_tolerance_is_accepted_as_missed(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    response = await client.post(
        "/processes/p", json={"id": "abc", "deadline": clock.epoch(seconds=-30)}
    )

    assert response.status_code == 201
    assert response.json()["deadline_status"] == "MISSED"


async def test_a_duplicate_active_run_is_a_conflict(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1")

    response = await client.post("/processes/p", json={"id": "run-1"})

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "PROCESS_ALREADY_EXISTS"
    assert body["message"] == "Active process already exists: name='p', id='run-1'"
    assert body["path"] == "/processes/p"
    assert isinstance(body["timestamp"], int)


async def test_the_same_id_may_run_again_after_it_finished(client: httpx.AsyncClient) -> None:
    await start_run(client, "p", "run-1")
    await client.put("/processes/p/run-1/complete")

    response = await client.post("/processes/p", json={"id": "run-1"})

    assert response.status_code == 201


async def test_the_same_id_under_another_name_is_independent(client: httpx.AsyncClient) -> None:
    await start_run(client, "first", "run-1")

    assert (await client.post("/processes/second", json={"id": "run-1"})).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "ab"}, "id"),
        ({"id": "x" * 51}, "id"),
        ({"id": "   "}, "id"),
        ({}, "id"),
        ({"id": 123}, "id"),
        ({"id": "abc", "deadline": -1}, "deadline"),
        ({"id": "abc", "deadline": "soon"}, "deadline"),
        ({"id": "abc", "tags": [{"key": "", "value": "v"}]}, "tags[0].key"),
        ({"id": "abc", "tags": [{"key": "k", "value": " "}]}, "tags[0].value"),
        ({"id": "abc", "tags": [{"key": "k" * 51, "value": "v"}]}, "tags[0].key"),
        ({"id": "abc", "tags": [{"key": "k", "value": "v" * 101}]}, "tags[0].value"),
        ({"id": "abc", "tags": [{"key": "k"}]}, "tags[0].value"),
        ({"id": "abc", "tags": "country:DE"}, "tags"),
        ({"id": "abc", "context": [1, 2]}, "context"),
        ({"id": "abc", "context": "text"}, "context"),
    ],
)
async def test_malformed_bodies_are_validation_errors_with_details(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/processes/p", json=body)

    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error"] == "VALIDATION_ERROR"
    assert error["message"] == "Request validation failed"
    assert field in [detail["field"] for detail in error["details"]]


@pytest.mark.parametrize(
    ("deadline_offset", "message"),
    [(None, "Deadline must be a positive timestamp"), (-120, "Deadline cannot be in the past")],
)
async def test_business_rules_reject_bad_deadlines(
    client: httpx.AsyncClient, clock: FakeClock, deadline_offset: int | None, message: str
) -> None:
    deadline = 0 if deadline_offset is None else clock.epoch(seconds=deadline_offset)

    response = await client.post("/processes/p", json={"id": "abc", "deadline": deadline})

    assert response.status_code == 400
    assert response.json()["error"] == "INVALID_ARGUMENT"
    assert response.json()["message"] == message


async def test_a_huge_deadline_is_a_clear_error_not_a_crash(client: httpx.AsyncClient) -> None:
    response = await client.post("/processes/p", json={"id": "abc", "deadline": 10**18})

    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert response.json()["details"][0]["field"] == "deadline"  # beyond 9999-12-31, declared


async def test_more_than_twenty_tags_are_rejected(client: httpx.AsyncClient) -> None:
    tags = [{"key": f"k{i}", "value": "v"} for i in range(21)]

    response = await client.post("/processes/p", json={"id": "abc", "tags": tags})

    assert response.status_code == 400
    assert response.json() == {
        **response.json(),
        "error": "INVALID_ARGUMENT",
        "message": "Cannot have more than 20 tags per process",
    }


async def test_twenty_tags_are_fine(client: httpx.AsyncClient) -> None:
    tags = [(f"k{i}", "v") for i in range(20)]

    body = await start_run(client, tags=tags)

    assert len(body["tags"]) == 20


@pytest.mark.parametrize("name", ["x" * 101, "test@process!", "with space"])
async def test_invalid_names_are_rejected(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post(f"/processes/{name}", json={"id": "abc"})

    assert response.status_code in (400, 404)
    assert response.json()["error"] in ("VALIDATION_ERROR", "NOT_FOUND")


async def test_posting_to_the_collection_is_method_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.post("/processes/", json={"id": "abc"})

    assert response.status_code == 405
    assert response.json()["error"] == "METHOD_NOT_ALLOWED"


async def test_a_missing_body_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/processes/p", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"


async def test_malformed_json_is_a_validation_error_on_the_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/processes/p", content=b'{"id": "abc",', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert response.json()["details"] == [
        {
            "field": "body",
            "message": "Malformed JSON request body at character 13: "
            "Expecting property name enclosed in double quotes",
            "rejected_value": None,
        }
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        (
            b'{"id": "abc", "context": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
            "JSON nested too deeply",
        ),
        (b'{"id": "ab\xff"}', "not valid UTF-8"),
    ],
)
async def test_a_body_the_parser_gives_up_on_is_a_validation_error_on_the_body(
    client: httpx.AsyncClient, content: bytes, reason: str
) -> None:
    response = await client.put(
        "/processes/p/abc/complete", content=content, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert response.json()["details"] == [
        {
            "field": "body",
            "message": f"Malformed JSON request body: {reason}",
            "rejected_value": None,
        }
    ]


def nested(depth: int) -> object:
    context: object = "leaf"
    for level in range(depth):
        context = {"a": context} if level % 2 else [context]
    return {"a": context}


async def test_context_may_nest_a_hundred_levels(client: httpx.AsyncClient) -> None:
    body = await start_run(client, context=nested(99))  # type: ignore[arg-type]

    assert body["context"] == nested(99)
    assert (await client.get("/processes")).status_code == 200


@pytest.mark.parametrize("depth", [100, 260, 900])
async def test_context_nested_deeper_is_a_validation_error_not_a_broken_list(
    client: httpx.AsyncClient, depth: int
) -> None:
    # Before, 252 levels were stored and every list page holding the run answered 500.
    response = await client.post("/processes/p", json={"id": "abc", "context": nested(depth)})

    assert response.status_code == 400
    assert response.json()["details"] == [
        {
            "field": "context",
            "message": "must not nest more than 100 levels",
            "rejected_value": None,
        }
    ]
    assert (await client.get("/processes")).json()["total"] == 0


async def test_a_non_json_body_is_unsupported_media_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/processes/p", content=b"id=abc", headers={"content-type": "text/plain"}
    )

    assert response.status_code == 415
    assert response.json()["error"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("process_id", ["a/b", "/abc", "abc/", "2026/07/19"])
async def test_an_id_with_a_slash_is_refused_because_it_could_never_be_addressed(
    client: httpx.AsyncClient, process_id: str
) -> None:
    response = await client.post("/processes/p", json={"id": process_id})

    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "VALIDATION_ERROR"
    assert error["details"] == [
        {
            "field": "id",
            "message": "must not contain '/': the run could not be read, completed or deleted",
            "rejected_value": process_id,
        }
    ]
    assert (await page_of_runs(client))["total"] == 0


@pytest.mark.parametrize("process_id", ["a\\b", "a?b#c", "a%2Fb", "...", " a b ", "ünï", "a\nb"])
async def test_ids_with_other_url_characters_can_be_read_completed_and_deleted(
    client: httpx.AsyncClient, process_id: str
) -> None:
    await start_run(client, "p", process_id)
    path = f"/processes/p/{quote(process_id, safe='')}"

    assert (await client.get(path)).json()["id"] == process_id
    assert (await client.put(f"{path}/complete")).json()["status"] == "COMPLETED"
    assert (await client.delete(path)).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "ab\x00c"}, "id"),
        ({"id": "abc", "tags": [{"key": "k\x00", "value": "v"}]}, "tags[0].key"),
        ({"id": "abc", "tags": [{"key": "k", "value": "v\x00"}]}, "tags[0].value"),
        ({"id": "abc", "context": {"note": "a\x00b"}}, "context"),
        ({"id": "abc", "context": {"deep": [{"k\x00": 1}]}}, "context"),
    ],
)
async def test_nul_characters_are_refused_on_both_databases(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    # PostgreSQL cannot store U+0000 in text or jsonb: it used to end as a 500 there.
    response = await client.post("/processes/p", json=body)

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in response.json()["details"]] == [field]


async def page_of_runs(client: httpx.AsyncClient) -> dict[str, object]:
    response = await client.get("/processes")
    assert response.status_code == 200
    result: dict[str, object] = response.json()
    return result


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "abc", "deadline": True}, "deadline"),
        ({"id": "abc", "deadline": False}, "deadline"),
        ({"id": "abc", "deadline": "1796161366"}, "deadline"),
        ({"id": "abc", "deadline": 1796161366.5}, "deadline"),  # 1796161366.0 is an integer
        ({"id": 12345}, "id"),
        ({"id": True}, "id"),
        ({"id": "abc", "tags": [{"key": 1, "value": "v"}]}, "tags[0].key"),
        ({"id": "abc", "tags": [{"key": "k", "value": 2.5}]}, "tags[0].value"),
        ({"id": "abc", "tags": [{"key": "k", "value": False}]}, "tags[0].value"),
        ({"id": "abc", "tags": [["k", "v"]]}, "tags[0]"),
        ({"id": "abc", "tags": {"k": "v"}}, "tags"),
        ({"id": "abc", "context": "{}"}, "context"),
    ],
)
async def test_body_types_are_strict_and_never_coerced(
    client: httpx.AsyncClient, clock: FakeClock, body: dict[str, object], field: str
) -> None:
    response = await client.post("/processes/p", json=body)

    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in error["details"]] == [field]


async def test_a_well_typed_body_is_still_accepted(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    body = {
        "id": "abc",
        "deadline": clock.epoch(hours=1),
        "tags": [{"key": "k", "value": "v"}],
        "context": {"n": 1, "b": True, "s": "1", "l": [None]},
    }

    response = await client.post("/processes/p", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["context"] == body["context"]
