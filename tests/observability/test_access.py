"""The access line and the correlation id: one line per request, one id across its log lines."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from fastapi import Request

from tests.observability.conftest import CaptureLogs, MakeSettings
from tests.observability.support import CLIENT, in_process, json_lines
from tests.support import FakeClock
from totrackit.app import create_app
from totrackit.observability.context import current_request_id

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def access_lines(lines: list[dict[str, object]]) -> list[dict[str, object]]:
    return [line for line in lines if line["logger"] == "totrackit.access"]


async def test_each_request_writes_one_access_line_naming_its_route(
    capture_logs: CaptureLogs, make_settings: MakeSettings, clock: FakeClock
) -> None:
    app = create_app(make_settings(), clock=clock)
    async with in_process(app) as client:
        output = capture_logs()
        created = await client.post("/processes/billing", json={"id": "run-1"})
        found = await client.get("/processes/billing/run-1")

    first, second = access_lines(json_lines(output))
    assert first["route"] == "/processes/{name}" and first["path"] == "/processes/billing"
    assert second["route"] == "/processes/{name}/{process_id}"
    assert second["path"] == "/processes/billing/run-1"
    assert first["method"] == "POST" and second["method"] == "GET"
    assert (first["status"], second["status"]) == (201, 200)
    assert first["client"] == CLIENT[0]
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert first["message"] == f"POST /processes/billing 201 {first['duration_ms']}ms"
    assert first["level"] == "INFO"
    assert first["request_id"] == created.headers["x-request-id"]
    assert second["request_id"] == found.headers["x-request-id"]


async def test_a_request_without_an_id_gets_a_fresh_one(make_settings: MakeSettings) -> None:
    async with in_process(create_app(make_settings())) as client:
        first = await client.get("/health/live")
        second = await client.get("/health/live")

    assert HEX_ID.match(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "request_id",
    ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "Root=1-5759e988:bd86.x_y/z+w", "a" * 128],
)
async def test_the_callers_request_id_is_echoed(
    make_settings: MakeSettings, request_id: str
) -> None:
    async with in_process(create_app(make_settings())) as client:
        response = await client.get("/processes/", headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["", "a" * 129, "two words", 'quote"d', "new\\nline", "semi;colon", "ünïcode"],
)
async def test_an_unusable_request_id_is_replaced(
    make_settings: MakeSettings, request_id: str
) -> None:
    async with in_process(create_app(make_settings())) as client:
        response = await client.get(
            "/processes/", headers={"X-Request-ID": request_id.encode("utf-8")}
        )

    assert HEX_ID.match(response.headers["x-request-id"])


async def test_handler_and_database_lines_carry_the_request_id(
    capture_logs: CaptureLogs, make_settings: MakeSettings
) -> None:
    app = create_app(make_settings())

    async def hello(request: Request) -> dict[str, str | None]:
        logging.getLogger("totrackit.handler").info("inside the handler")
        return {"seen": current_request_id()}

    app.add_api_route("/test/hello", hello)
    async with in_process(app) as client:
        output = capture_logs(log_level="DEBUG")
        greeted = await client.get("/test/hello", headers={"X-Request-ID": "req-hello"})
        created = await client.post(
            "/processes/billing", json={"id": "run-1"}, headers={"X-Request-ID": "req-create"}
        )

    assert greeted.json() == {"seen": "req-hello"} and created.status_code == 201
    lines = json_lines(output)
    handler = [line for line in lines if line["logger"] == "totrackit.handler"]
    sql = [line for line in lines if line["logger"].startswith("sqlalchemy.engine")]
    insert = [line for line in sql if "INSERT INTO processes" in str(line["message"])]
    assert [line["request_id"] for line in handler] == ["req-hello"]
    assert insert and {line["request_id"] for line in insert} == {"req-create"}
    # The readiness check refreshed in the background logs under correlation ids of its own.
    assert all(line["request_id"] for line in sql)
    assert current_request_id() is None  # nothing leaks out of a finished request


async def test_an_unexpected_error_is_logged_and_answered_with_the_request_id(
    capture_logs: CaptureLogs, make_settings: MakeSettings
) -> None:
    app = create_app(make_settings())

    async def boom() -> None:
        raise RuntimeError("cannot reach postgresql://app:hunter2-secret@db/x")

    app.add_api_route("/test/boom", boom)
    async with in_process(app) as client:
        output = capture_logs()
        response = await client.get("/test/boom", headers={"X-Request-ID": "req-boom"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-boom"
    assert "hunter2" not in response.text and "postgresql" not in response.text
    lines = json_lines(output)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and all(line["request_id"] == "req-boom" for line in errors)
    assert any("RuntimeError" in str(line.get("exception")) for line in errors)
    assert "hunter2-secret" not in output.getvalue()
    [access] = access_lines(lines)
    assert (access["status"], access["route"], access["request_id"]) == (
        500,
        "/test/boom",
        "req-boom",
    )


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
async def test_health_probes_are_logged_at_debug_only(
    capture_logs: CaptureLogs, make_settings: MakeSettings, path: str
) -> None:
    async with in_process(create_app(make_settings())) as client:
        quiet = capture_logs(log_level="INFO")
        await client.get(path)
        verbose = capture_logs(log_level="DEBUG")
        await client.get(path)

    assert json_lines(quiet) == []  # nothing at all, not even what the probe's checks log
    [line] = access_lines(json_lines(verbose))
    assert (line["level"], line["route"], line["status"]) == ("DEBUG", path, 200)


async def test_the_access_log_can_be_turned_off(
    capture_logs: CaptureLogs, make_settings: MakeSettings
) -> None:
    async with in_process(create_app(make_settings(access_log=False))) as client:
        output = capture_logs()
        response = await client.get("/processes/")

    assert access_lines(json_lines(output)) == []
    assert HEX_ID.match(response.headers["x-request-id"])  # correlation still works


async def test_rejected_and_unrouted_requests_are_logged_without_secrets(
    capture_logs: CaptureLogs, make_settings: MakeSettings
) -> None:
    async with in_process(create_app(make_settings(api_key="right-key-123456"))) as client:
        output = capture_logs()
        rejected = await client.get("/processes/", headers={"X-API-KEY": "wrong-key-654321"})
        unrouted = await client.get("/no/such/page")

    assert (rejected.status_code, unrouted.status_code) == (401, 404)
    first, second = access_lines(json_lines(output))
    # Refused before routing: no route template, only the raw path.
    assert (first["status"], first["route"], first["path"]) == (401, None, "/processes/")
    assert (second["status"], second["route"], second["path"]) == (404, None, "/no/such/page")
    assert rejected.headers["x-request-id"] == first["request_id"]
    assert "wrong-key" not in output.getvalue() and "right-key" not in output.getvalue()


async def test_a_request_cancelled_before_answering_is_logged_as_499(
    capture_logs: CaptureLogs,
) -> None:
    from totrackit.observability.access import AccessLogMiddleware

    async def hangs(scope: object, receive: object, send: object) -> None:
        raise asyncio.CancelledError

    output = capture_logs()
    scope = {"type": "http", "method": "GET", "path": "/slow", "headers": [], "client": None}
    with pytest.raises(asyncio.CancelledError):
        await AccessLogMiddleware(hangs)(scope, _never, _discard)

    [line] = access_lines(json_lines(output))
    assert (line["status"], line["route"], line["client"]) == (499, None, None)


async def _never() -> dict[str, object]:
    raise AssertionError("not read")


async def _discard(message: object) -> None:
    return None
