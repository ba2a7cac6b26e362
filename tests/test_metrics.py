"""GET /metrics and /prometheus: Prometheus text with the contract's metric families."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import FakeClock, finish_run, start_run
from totrackit.observability.metrics import HTTP_REQUESTS


async def samples(
    client: httpx.AsyncClient, path: str = "/metrics"
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def test_process_lifecycle_is_counted(client: httpx.AsyncClient, clock: FakeClock) -> None:
    before = await samples(client)
    await start_run(client, "metrics-demo", "on-time", deadline=clock.epoch(hours=1))
    await start_run(client, "metrics-demo", "late", deadline=clock.epoch(seconds=30))
    await start_run(client, "metrics-demo", "broken")
    clock.advance(minutes=1)
    await finish_run(client, "metrics-demo", "late")
    await finish_run(client, "metrics-demo", "broken", "FAILED")
    clock.advance(minutes=1)
    await finish_run(client, "metrics-demo", "on-time")

    after = await samples(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("totrackit_processes_created_total", process_name="metrics-demo") == 3
    assert delta("totrackit_processes_total", process_name="metrics-demo") == 3
    assert (
        delta(
            "totrackit_processes_completed_total", process_name="metrics-demo", status="COMPLETED"
        )
        == 2
    )
    assert (
        delta("totrackit_processes_failed_total", process_name="metrics-demo", status="FAILED") == 1
    )
    assert delta("totrackit_processes_completed_on_time_total", process_name="metrics-demo") == 1
    assert delta("totrackit_processes_completed_late_total", process_name="metrics-demo") == 1
    assert (
        delta(
            "totrackit_process_duration_seconds_count",
            process_name="metrics-demo",
            status="COMPLETED",
        )
        == 2
    )
    assert (
        delta(
            "totrackit_database_operations_total",
            operation="create",
            table="processes",
            success="true",
        )
        == 3
    )
    longest = value(
        after,
        "totrackit_process_duration_seconds_max",
        process_name="metrics-demo",
        status="COMPLETED",
    )
    assert longest == 120  # the on-time run: two minutes
    # The original's timer has no buckets (and sixteen series per name would bloat scrapes).
    assert not [name for name, _ in after if name == "totrackit_process_duration_seconds_bucket"]


async def test_http_requests_are_labelled_by_route_template(client: httpx.AsyncClient) -> None:
    await start_run(client, "templated", "run-1")
    await client.get("/processes/templated/run-1")
    await client.get("/processes/templated/does-not-exist")
    await client.get("/no/such/route")

    found = await samples(client)

    endpoints = {
        dict(labels).get("endpoint")
        for name, labels in found
        if name == "totrackit_http_requests_total"
    }
    assert "/processes/{name}/{process_id}" in endpoints
    assert "/processes/{name}" in endpoints
    assert not any(endpoint and "run-1" in endpoint for endpoint in endpoints)
    assert (
        value(
            found,
            "totrackit_http_requests_total",
            method="GET",
            endpoint="/processes/{name}/{process_id}",
            status="404",
        )
        >= 1
    )
    assert (
        value(
            found, "totrackit_http_requests_total", method="GET", endpoint="unmatched", status="404"
        )
        >= 1
    )
    assert (
        value(
            found,
            "totrackit_http_request_duration_seconds_count",
            method="POST",
            endpoint="/processes/{name}",
            status="201",
        )
        >= 1
    )


async def test_database_statements_are_timed(client: httpx.AsyncClient) -> None:
    before = value(await samples(client), "totrackit_database_query_duration_seconds_count")

    await client.get("/processes/")
    await client.get("/analytics/summary")

    after = await samples(client)
    assert value(after, "totrackit_database_query_duration_seconds_count") >= before + 2
    # Every connection the requests borrowed was returned to the pool.
    assert value(after, "totrackit_database_connections_active") == 0


async def test_prometheus_path_serves_the_same_families(client: httpx.AsyncClient) -> None:
    names = {name for name, _ in await samples(client, "/prometheus")}

    assert (
        "totrackit_http_requests_total" in names
        or "totrackit_http_request_duration_seconds_count" in names
    )


@pytest.mark.parametrize("settings_overrides", [{"metrics_enabled": False}])
async def test_metrics_can_be_switched_off_entirely(client: httpx.AsyncClient) -> None:
    def served(endpoint: str) -> float:
        return HTTP_REQUESTS.labels("GET", endpoint, "200")._value.get()

    before = served("/health/live")
    live = await client.get("/health/live")

    assert live.status_code == 200
    assert served("/health/live") == before  # no per-request instrumentation
    assert (await client.get("/metrics")).status_code == 404
    assert (await client.get("/prometheus")).status_code == 404


async def test_unknown_methods_share_one_label(client: httpx.AsyncClient) -> None:
    for method in ("BREW", "WHEN", "PROPFIND"):
        await client.request(method, "/health/live")

    found = await samples(client)

    methods = {
        dict(labels)["method"] for name, labels in found if name == "totrackit_http_requests_total"
    }
    assert "OTHER" in methods
    assert not methods & {"BREW", "WHEN", "PROPFIND"}
