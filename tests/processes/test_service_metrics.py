"""The process service reports each write to the metrics recorder it was given."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock
from tests.support.metrics import RecordingMetrics
from totrackit.errors import ProcessAlreadyCompleted, ProcessAlreadyExists
from totrackit.processes.rules import Status
from totrackit.processes.schemas import NewProcessRequest
from totrackit.processes.service import ProcessService


@pytest.fixture
def metrics() -> RecordingMetrics:
    return RecordingMetrics()


@pytest.fixture
def service(clock: FakeClock, metrics: RecordingMetrics) -> ProcessService:
    return ProcessService(clock=clock, exact_count_limit=100, metrics=metrics)


async def test_a_run_finished_late_is_reported_with_its_deadline_status(
    db: AsyncEngine, service: ProcessService, clock: FakeClock, metrics: RecordingMetrics
) -> None:
    async with db.begin() as conn:
        request = NewProcessRequest(id="run-1", deadline=clock.epoch(seconds=60))
        await service.start(conn, name="billing", request=request)
        clock.advance(seconds=61)
        await service.finish(conn, name="billing", process_id="run-1", status=Status.COMPLETED)

    assert metrics.events == [
        ("started", "billing", "run-1"),
        ("finished", "billing", "COMPLETED", "COMPLETED_LATE"),
    ]


async def test_a_run_finished_at_its_deadline_is_on_time_and_a_failure_has_no_status(
    db: AsyncEngine, service: ProcessService, clock: FakeClock, metrics: RecordingMetrics
) -> None:
    async with db.begin() as conn:
        for run_id in ("run-1", "run-2"):
            request = NewProcessRequest(id=run_id, deadline=clock.epoch(seconds=60))
            await service.start(conn, name="billing", request=request)
        clock.advance(seconds=60)
        await service.finish(conn, name="billing", process_id="run-1", status=Status.COMPLETED)
        await service.finish(conn, name="billing", process_id="run-2", status=Status.FAILED)

    assert metrics.events[2:] == [
        ("finished", "billing", "COMPLETED", "COMPLETED_ON_TIME"),
        ("finished", "billing", "FAILED", "no deadline status"),
    ]


async def test_refused_writes_and_deletes_are_reported(
    db: AsyncEngine, service: ProcessService, metrics: RecordingMetrics
) -> None:
    async with db.begin() as conn:
        await service.start(conn, name="billing", request=NewProcessRequest(id="run-1"))
        with pytest.raises(ProcessAlreadyExists):
            await service.start(conn, name="billing", request=NewProcessRequest(id="run-1"))
        await service.finish(conn, name="billing", process_id="run-1", status=Status.FAILED)
        with pytest.raises(ProcessAlreadyCompleted):
            await service.finish(conn, name="billing", process_id="run-1", status=Status.FAILED)
        await service.delete(conn, name="billing", process_id="run-1")

    assert [event[0] for event in metrics.events] == [
        "started",
        "refused",
        "finished",
        "refused",
        "deleted",
    ]
    assert ("refused", "create") in metrics.events and ("refused", "update") in metrics.events
