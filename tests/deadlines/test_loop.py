"""The engine's loops with a real clock: on time end to end, and liveness that proves progress."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.conftest import add_run, engine_settings
from tests.deadlines.receiver import Receiver
from totrackit.clock import SystemClock
from totrackit.deadlines.app import create_worker_app
from totrackit.deadlines.heartbeat import EngineHeartbeat
from totrackit.deadlines.runner import DeadlineEngine

INTERVAL = 0.2
# Delivery to a local receiver plus scheduling noise on a shared CI machine.
SLACK = 0.5


async def test_the_running_loop_delivers_warning_and_miss_within_one_interval(
    db: AsyncEngine, database_url: str, receiver: Receiver
) -> None:
    settings = engine_settings(
        database_url, webhook_url=receiver.url, notification_scan_interval=f"{INTERVAL}s"
    )
    deadlines = DeadlineEngine(settings=settings.deadlines, db=db, clock=SystemClock())
    start = datetime.now(UTC)
    await add_run(db, started_at=start, budget=timedelta(seconds=2))
    await deadlines.start()
    try:
        warning, missed = await asyncio.to_thread(receiver.wait_for, 2, 10)
    finally:
        await deadlines.stop()

    assert warning.json["event"] == "process.deadline_warning"
    assert missed.json["event"] == "process.deadline_missed"
    warning_due, missed_due = start.timestamp() + 1.5, start.timestamp() + 2
    assert warning_due <= warning.received_at <= warning_due + INTERVAL + SLACK
    assert missed_due <= missed.received_at <= missed_due + INTERVAL + SLACK
    assert deadlines.heartbeat.last_scan_at is not None
    assert not deadlines.heartbeat.is_stalled(datetime.now(UTC))


def test_the_heartbeat_stalls_after_three_intervals_without_a_scan() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    beat = EngineHeartbeat(
        scan_interval=timedelta(seconds=5), delivery_allowance=timedelta(seconds=10), started_at=t0
    )
    beat.scanned(t0 + timedelta(seconds=5))
    beat.delivered(t0 + timedelta(seconds=5))

    assert not beat.is_stalled(t0 + timedelta(seconds=20))
    assert beat.is_stalled(t0 + timedelta(seconds=20, milliseconds=1))


async def test_worker_liveness_fails_when_the_scan_loop_stalls(
    db: AsyncEngine, database_url: str, monkeypatch: Any
) -> None:
    settings = engine_settings(
        database_url, auto_migrate=False, notification_scan_interval=f"{INTERVAL / 2}s"
    )
    app = create_worker_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
            await asyncio.sleep(INTERVAL)
            healthy = await client.get("/health/live")

            async def stuck() -> None:
                await asyncio.Event().wait()  # e.g. a query that never returns

            monkeypatch.setattr(app.state.worker.deadlines.scanner, "scan", stuck)
            await asyncio.sleep(INTERVAL * 3)
            stalled = await client.get("/health/live")
            metrics = await client.get("/metrics")

    assert healthy.status_code == 200
    assert healthy.json()["components"]["worker"]["status"] == "UP"
    assert stalled.status_code == 503
    assert stalled.json()["components"]["worker"]["status"] == "DOWN"
    assert b"totrackit_deadline_scan_duration_seconds" in metrics.content


async def test_each_engine_cycle_runs_under_its_own_correlation_id() -> None:
    from totrackit.deadlines.runner import _guarded
    from totrackit.observability.context import current_request_id

    seen: list[str | None] = []

    async def cycle() -> None:
        seen.append(current_request_id())

    await _guarded("test cycle", cycle)
    await _guarded("test cycle", cycle)

    assert None not in seen and len(set(seen)) == 2
    assert current_request_id() is None
