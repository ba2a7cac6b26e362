"""The engine as deployed: separate ``totrackit`` processes against one database.

PostgreSQL only where several processes share the database (SQLite serves one process).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.conftest import SECRET, add_run, outbox_events
from tests.deadlines.receiver import Receiver, running_receiver
from tests.support.servers import free_port, running_server
from totrackit.db.tables import webhook_outbox

FAST = {
    "TOTRACKIT_AUTO_MIGRATE": "false",
    "TOTRACKIT_NOTIFICATION_SCAN_INTERVAL": "200ms",
    "TOTRACKIT_WEBHOOK_TIMEOUT": "1s",
    "TOTRACKIT_WEBHOOK_RETRY_INITIAL": "200ms",
    "TOTRACKIT_WEBHOOK_RETRY_MAX_DELAY": "1s",
    "TOTRACKIT_WEBHOOK_SECRET": SECRET,
    "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0",
}


def env(database_url: str, receiver_url: str, **extra: str) -> dict[str, str]:
    return {
        **FAST,
        "TOTRACKIT_DATABASE_URL": database_url,
        "TOTRACKIT_WEBHOOK_URL": receiver_url,
        **extra,
    }


async def outbox_count(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        statement = select(func.count()).select_from(webhook_outbox)
        return int((await conn.execute(statement)).scalar_one())


async def wait_for_outbox(db: AsyncEngine, count: int, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while await outbox_count(db) < count:
        assert time.monotonic() < deadline, f"{await outbox_count(db)} of {count} queued"
        await asyncio.sleep(0.01)


async def test_kill_9_at_any_moment_while_the_receiver_is_down_loses_nothing(
    db: AsyncEngine, postgresql_only: str, tmp_path: Path
) -> None:
    runs = 300
    start = datetime.now(UTC) - timedelta(seconds=200)
    for index in range(runs):
        await add_run(
            db, started_at=start, budget=timedelta(seconds=100), process_id=f"run-{index:03d}"
        )
    receiver = Receiver()  # its port is known, but nothing listens there yet
    settings = env(postgresql_only, receiver.url, TOTRACKIT_NOTIFICATION_BATCH_SIZE="7")

    with running_server(data_dir=tmp_path, command="worker", env=settings) as first:
        await wait_for_outbox(db, 1)
        first.process.kill()  # SIGKILL in the middle of the scan's batches
    with running_server(data_dir=tmp_path, command="worker", env=settings) as second:
        await wait_for_outbox(db, runs)
        await asyncio.sleep(0.5)  # deliveries to the dead receiver fail and are rescheduled
        second.process.kill()
    with running_server(data_dir=tmp_path, command="worker", env=settings):
        receiver.start()
        try:
            delivered = await asyncio.to_thread(receiver.wait_for, runs, 60)
            await asyncio.sleep(0.5)  # any duplicate would arrive now
        finally:
            receiver.stop()

    events = await outbox_events(db)
    assert len(events) == runs  # each run's event was produced exactly once
    assert {e.status.value for e in events} == {"DELIVERED"}
    assert {r.json["id"] for r in delivered} == {f"run-{i:03d}" for i in range(runs)}
    assert {r.webhook_id for r in delivered} == {e.event_id for e in events}


async def test_two_workers_and_an_api_deliver_exactly_once_per_run(
    db: AsyncEngine, postgresql_only: str, tmp_path: Path
) -> None:
    runs = 100
    with running_receiver() as receiver:
        settings = env(postgresql_only, receiver.url)
        with (
            running_server(data_dir=tmp_path, command="api", env=settings) as api,
            running_server(data_dir=tmp_path, command="worker", env=settings),
            running_server(data_dir=tmp_path, command="worker", env=settings),
        ):
            deadline = int(time.time()) + 10  # room to create every run before its warning
            async with httpx.AsyncClient(base_url=api.url) as client:
                for index in range(runs):
                    body = {"id": f"run-{index:03d}", "deadline": deadline}
                    response = await client.post("/processes/batch", json=body)
                    assert response.status_code == 201
            await asyncio.to_thread(receiver.wait_for, 2 * runs, 60)
            await asyncio.sleep(1)  # any duplicate would arrive now
        requests = receiver.requests

    per_event = Counter((r.json["event"], r.json["id"]) for r in requests)
    assert len(per_event) == 2 * runs
    assert set(per_event.values()) == {1}
    assert all(r.status == 200 for r in requests)


def test_serve_runs_the_engine_and_api_does_not(tmp_path: Path) -> None:
    with running_receiver() as receiver:
        settings = {
            **FAST,
            "TOTRACKIT_AUTO_MIGRATE": "true",
            "TOTRACKIT_WEBHOOK_URL": receiver.url,
        }
        deadline = int(time.time()) + 2
        with running_server(data_dir=tmp_path / "api", command="api", env=settings) as api:
            httpx.post(f"{api.url}/processes/roles", json={"id": "api-run", "deadline": deadline})
            time.sleep(3)
        assert receiver.requests == []

        with running_server(data_dir=tmp_path / "serve", command="serve", env=settings) as serve:
            deadline = int(time.time()) + 2
            httpx.post(f"{serve.url}/processes/roles", json={"id": "run", "deadline": deadline})
            missed = receiver.wait_for(2, timeout=15)

    assert {r.json["event"] for r in missed} == {
        "process.deadline_warning",
        "process.deadline_missed",
    }


def test_worker_health_listener_answers(tmp_path: Path) -> None:
    settings = {**FAST, "TOTRACKIT_AUTO_MIGRATE": "true", "TOTRACKIT_WORKER_PORT": str(free_port())}
    with running_server(data_dir=tmp_path, command="worker", env=settings) as worker:
        live = httpx.get(f"{worker.url}/health/live")
        ready = httpx.get(f"{worker.url}/health/ready")
        metrics = httpx.get(f"{worker.url}/metrics")

    assert live.status_code == ready.status_code == metrics.status_code == 200
    assert ready.json()["components"]["database"]["status"] == "UP"
    assert b"totrackit_deadline_last_scan_timestamp_seconds" in metrics.content
