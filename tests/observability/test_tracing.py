"""Tracing: off costs nothing; on, request, database and outgoing HTTP spans reach a collector."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.observability.conftest import CaptureLogs, MakeSettings
from tests.observability.support import (
    OtlpReceiver,
    ReceivedSpan,
    in_process,
    json_lines,
    otlp_receiver,
)
from totrackit.app import create_app

SERVER, CLIENT = 2, 3  # opentelemetry.proto SpanKind values
OPTIONAL_MODULES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter",
    "opentelemetry.instrumentation",
    "opentelemetry.proto",
    "google.protobuf",
)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[OtlpReceiver]:
    with otlp_receiver() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
        monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
        monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
        yield receiver


def by_name(spans: list[ReceivedSpan], name: str) -> ReceivedSpan:
    [span] = [span for span in spans if span.name == name]
    return span


def in_trace(spans: list[ReceivedSpan], trace_id: str, kind: int) -> list[ReceivedSpan]:
    return [span for span in spans if span.trace_id == trace_id and span.kind == kind]


async def test_request_database_and_outgoing_http_spans_reach_the_collector(
    receiver: OtlpReceiver, make_settings: MakeSettings, capture_logs: CaptureLogs
) -> None:
    app = create_app(make_settings(tracing_enabled=True))

    async def outgoing() -> dict[str, int]:
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"{receiver.endpoint}/ping")
        return {"status": answer.status_code}

    app.add_api_route("/test/outgoing", outgoing)
    async with in_process(app) as client:
        output = capture_logs(log_level="DEBUG")
        created = await client.post("/processes/billing", json={"id": "run-1"})
        called = await client.get("/test/outgoing")
    # The lifespan has ended, and with it the exporter flushed everything it had.

    assert (created.status_code, called.status_code) == (201, 200)
    spans = receiver.spans
    assert receiver.exports >= 1
    assert {span.service_name for span in spans} == {"totrackit"}
    create = by_name(spans, "POST /processes/{name}")
    assert create.kind == SERVER and create.attributes["http.route"] == "/processes/{name}"
    statements = in_trace(spans, create.trace_id, CLIENT)
    # PostgreSQL writes the run and its tags in one statement, a data-modifying WITH.
    inserts = [
        span
        for span in statements
        if "INSERT INTO processes" in str(span.attributes.get("db.statement", span.name))
    ]
    assert inserts, statements
    call = by_name(spans, "GET /test/outgoing")
    [http] = in_trace(spans, call.trace_id, CLIENT)
    assert http.name.startswith("GET") and "/ping" in str(http.attributes)
    # The receiver was told which trace the call belongs to.
    assert call.trace_id in receiver.calls[0]["traceparent"]
    # Log lines written inside the request name its trace and span.
    lines = json_lines(output)
    access = {line["path"]: line for line in lines if line["logger"] == "totrackit.access"}
    assert access["/processes/billing"]["trace_id"] == create.trace_id
    assert access["/test/outgoing"]["trace_id"] == call.trace_id
    sql = [line for line in lines if line["logger"].startswith("sqlalchemy.engine")]
    assert {
        line["trace_id"] for line in sql if line["request_id"] == created.headers["x-request-id"]
    } == {create.trace_id}
    assert {s.span_id for s in spans} >= {line["span_id"] for line in lines if "span_id" in line}


async def test_health_probes_leave_no_spans(
    receiver: OtlpReceiver, make_settings: MakeSettings
) -> None:
    async with in_process(create_app(make_settings(tracing_enabled=True))):
        pass
    startup_only = len(receiver.spans)
    async with in_process(create_app(make_settings(tracing_enabled=True))) as client:
        for _ in range(3):
            assert (await client.get("/health/ready")).status_code == 200
            assert (await client.get("/health/live")).status_code == 200

    assert len(receiver.spans) == 2 * startup_only
    assert not [span for span in receiver.spans if "/health" in span.name]


async def test_the_service_name_follows_otel_service_name(
    receiver: OtlpReceiver, make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "totrackit-eu")
    async with in_process(create_app(make_settings(tracing_enabled=True))) as client:
        await client.get("/processes/")

    assert {span.service_name for span in receiver.spans} == {"totrackit-eu"}


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOTRACKIT_", "OTEL_"))}
    return {**env, **extra}


TRACING_OFF = """
import asyncio, json, sys
import httpx
from totrackit.app import create_app
from totrackit.observability.logs import configure_logging
from totrackit.settings import Settings

settings = Settings(database_url=sys.argv[1], env="production", log_level="DEBUG")
configure_logging(settings)

async def main():
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            assert (await client.post("/processes/p", json={"id": "run-1"})).status_code == 201
            assert (await client.get("/processes/p/run-1")).status_code == 200

asyncio.run(main())
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_tracing_off_imports_nothing_of_opentelemetry_beyond_fastapis_api(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", TRACING_OFF, f"sqlite:///{tmp_path / 'off.db'}"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stderr.strip().splitlines()[-1])
    assert [name for name in modules if name.startswith(OPTIONAL_MODULES)] == []
    assert "totrackit.observability.tracing" in modules  # the code ran, and stayed idle


def test_tracing_without_its_packages_is_a_configuration_error(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['opentelemetry.sdk'] = None\n"
        "from totrackit.cli.main import cli\n"
        "cli(['serve', '--port', '9'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_clean_env(TOTRACKIT_TRACING_ENABLED="true", TOTRACKIT_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 78, result.stdout + result.stderr
    assert "TOTRACKIT_TRACING_ENABLED" in result.stderr
    assert "pip install 'totrackit[tracing]'" in result.stderr
