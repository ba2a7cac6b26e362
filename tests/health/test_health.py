"""The health model: /health, /health/ready, /health/live and /health/status."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import jsonschema
import pytest

from totrackit.health.service import format_uptime

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "schemas" / "health.schema.json").read_text()
)


async def test_health_reports_every_component_and_matches_the_schema(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert body["status"] == "UP"
    database = body["components"]["database"]["details"]
    assert database["migrations"]["status"] == "up-to-date"
    assert database["migrations"]["current"] == database["migrations"]["head"]
    assert database["responseTime"].endswith("ms")


async def test_ready_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "UP"
    assert body["database"]["status"] == "UP"
    assert body["migrations"]["status"] == "up-to-date"


async def test_live_answers_with_application_details(client: httpx.AsyncClient) -> None:
    body = (await client.get("/health/live")).json()

    assert body["status"] == "UP"
    assert body["application"]["details"]["availableProcessors"] >= 1
    assert body["application"]["details"]["pid"] == os.getpid()


async def test_status_keeps_the_original_shape(client: httpx.AsyncClient) -> None:
    body = (await client.get("/health/status")).json()

    assert body["status"] == "UP"
    assert set(body["components"]) == {"database", "application"}
    assert body["components"]["database"]["responseTime"].endswith("ms")
    assert int(body["components"]["database"]["responseTime"][:-2]) < 1000
    assert set(body["components"]["application"]) == {
        "status",
        "uptime",
        "memoryUsage",
        "availableProcessors",
    }


async def test_draining_turns_readiness_down_but_keeps_serving(client: httpx.AsyncClient) -> None:
    client_app = client._transport.app  # type: ignore[attr-defined]
    client_app.state.lifecycle.draining = True

    ready = await client.get("/health/ready")
    listed = await client.get("/processes/")

    assert ready.status_code == 503
    assert ready.json()["reason"].startswith("draining")
    assert listed.status_code == 200


async def test_health_paths_stay_open_with_an_api_key(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/health/ready", "/health/live", "/health/status"):
        assert (await client.get(path, headers={"X-API-KEY": "nope"})).status_code == 200


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "5s"), (65, "1m 5s"), (3_700, "1h 1m"), (90_061, "1d 1h 1m")],
)
def test_uptime_is_formatted_like_the_original(seconds: int, text: str) -> None:
    assert format_uptime(seconds) == text


def test_the_all_in_one_process_reports_its_deadline_engine(tmp_path: Path) -> None:
    from tests.support.servers import running_server

    with running_server(data_dir=tmp_path / "data") as server:
        body = httpx.get(f"{server.url}/health").json()

    jsonschema.validate(body, SCHEMA)
    assert body["components"]["worker"]["status"] == "UP"
    assert "lastScanAt" in body["components"]["worker"]["details"]
