"""The real ``totrackit serve`` process: what it writes, and what it exports."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from tests.observability.support import otlp_receiver
from tests.support.servers import running_server

SERVER, CLIENT = 2, 3  # opentelemetry.proto SpanKind values
QUICK_STOP = {"TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0"}


def every_line_as_json(log: Path) -> list[dict[str, Any]]:
    lines = log.read_text().splitlines()
    assert lines, "the server wrote nothing"
    parsed = []
    for number, line in enumerate(lines, 1):
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"line {number} is not JSON: {line!r}") from None
    return parsed


def test_a_production_server_writes_only_json_lines(tmp_path: Path) -> None:
    env = {"TOTRACKIT_ENV": "production", "TOTRACKIT_LOG_LEVEL": "INFO", **QUICK_STOP}
    with running_server(data_dir=tmp_path, env=env) as server:
        client = httpx.Client(base_url=server.url)
        created = client.post(
            "/processes/billing", json={"id": "run-1"}, headers={"X-Request-ID": "e2e-1"}
        )
        client.get("/processes/billing/run-1")
        client.post("/processes/billing", content=b"{not json")
        client.get("/no/such/page")
        client.get("/health/ready")
        client.close()

    assert created.headers["x-request-id"] == "e2e-1"
    lines = every_line_as_json(server.log)
    assert all(
        {"timestamp", "level", "logger", "message", "request_id"} <= set(line) for line in lines
    )
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn", "totrackit.access", "totrackit.app", "totrackit.server"} <= loggers
    access = [line for line in lines if line["logger"] == "totrackit.access"]
    assert [(line["method"], line["route"], line["status"]) for line in access] == [
        ("POST", "/processes/{name}", 201),
        ("GET", "/processes/{name}/{process_id}", 200),
        ("POST", "/processes/{name}", 400),
        ("GET", None, 404),
    ]  # the readiness probe only logs at DEBUG
    assert access[0]["request_id"] == "e2e-1"
    assert any(line["message"] == "Shutting down" for line in lines)  # the whole run, to the end


def test_start_up_lines_read_as_what_they_are_and_health_checks_log_no_internals(
    tmp_path: Path,
) -> None:
    env = {"TOTRACKIT_ENV": "production", "TOTRACKIT_LOG_LEVEL": "INFO", **QUICK_STOP}
    with running_server(data_dir=tmp_path, env=env) as server:
        started = len(server.log.read_text().splitlines())
        for path in ("/health", "/health", "/health/live", "/health/ready", "/health/status"):
            assert httpx.get(server.url + path).status_code == 200
        time.sleep(0.2)  # the access line of the last request follows its answer

    lines = every_line_as_json(server.log)
    start, during_checks = lines[:started], lines[started:]
    assert not [line for line in lines if line["logger"] == "uvicorn.error"]
    assert any(line["message"] == "Application startup complete." for line in start)
    assert not [line for line in lines if line["message"].startswith("Context impl")]
    # What /health logs is its access line, and nothing of the migration check inside it.
    checks = [line for line in during_checks if line["logger"] != "uvicorn"]
    assert [line.get("path") for line in checks if line["logger"] == "totrackit.access"] == [
        "/health",
        "/health",
        "/health/status",
    ]
    assert {line["logger"] for line in checks} <= {"totrackit.access", "totrackit.server"}


def test_the_server_honours_the_log_level(tmp_path: Path) -> None:
    env = {"TOTRACKIT_ENV": "production", "TOTRACKIT_LOG_LEVEL": "warn", **QUICK_STOP}
    with running_server(data_dir=tmp_path, env=env) as server:
        httpx.post(f"{server.url}/processes/billing", json={"id": "run-1"})
        httpx.get(f"{server.url}/no/such/page")

    levels = (
        {line["level"] for line in every_line_as_json(server.log)}
        if server.log.read_text()
        else set()
    )
    assert levels <= {"WARNING", "ERROR", "CRITICAL"}


def test_a_traced_server_exports_request_database_and_webhook_spans(tmp_path: Path) -> None:
    with otlp_receiver() as receiver:
        env = {
            "TOTRACKIT_ENV": "production",
            "TOTRACKIT_TRACING_ENABLED": "true",
            "TOTRACKIT_WEBHOOK_URL": f"{receiver.endpoint}/hooks/deadline",
            "TOTRACKIT_NOTIFICATION_SCAN_INTERVAL": "200ms",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            **QUICK_STOP,
        }
        with running_server(data_dir=tmp_path, env=env) as server:
            deadline = int(time.time()) + 1
            created = httpx.post(
                f"{server.url}/processes/billing", json={"id": "run-1", "deadline": deadline}
            )
            assert created.status_code == 201, created.text
            receiver.wait_for(
                lambda spans: (
                    any(s.name == "POST /processes/{name}" for s in spans)
                    and any(s.kind == CLIENT and s.name.startswith("POST") for s in spans)
                ),
                timeout=40,
            )

    spans = receiver.spans
    assert {span.service_name for span in spans} == {"totrackit"}
    [request] = [span for span in spans if span.name == "POST /processes/{name}"]
    statements = [s for s in spans if s.trace_id == request.trace_id and s.kind == CLIENT]
    assert any(s.name.startswith("INSERT") for s in statements)
    webhook = [s for s in spans if s.kind == CLIENT and s.name.startswith("POST")]
    assert any("/hooks/deadline" in str(s.attributes) for s in webhook)
    assert any(
        call["path"] == "/hooks/deadline" and "traceparent" in call for call in receiver.calls
    )
    lines = every_line_as_json(server.log)
    [access] = [line for line in lines if line.get("route") == "/processes/{name}"]
    assert access["trace_id"] == request.trace_id
