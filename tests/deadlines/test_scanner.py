"""Detection (contract 4.2-4.4): each event once per run, within one scan interval of due."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.conftest import add_run, outbox_events
from tests.support import T0, FakeClock
from totrackit.db.tables import processes
from totrackit.deadlines.models import EventType
from totrackit.processes import repository as process_repository
from totrackit.processes.rules import Status

INTERVAL = timedelta(seconds=5)
BUDGET = timedelta(seconds=100)


async def flags(db: AsyncEngine) -> dict[str, tuple[datetime | None, datetime | None]]:
    """process_id -> (deadline_warned_at, deadline_notified_at)."""
    p = processes
    statement = select(p.c.process_id, p.c.deadline_warned_at, p.c.deadline_notified_at)
    async with db.connect() as conn:
        return {row[0]: (row[1], row[2]) for row in (await conn.execute(statement)).all()}


def counter(name: str, process_name: str = "account-activation") -> float:
    value = REGISTRY.get_sample_value(f"{name}_total", {"process_name": process_name})
    return value or 0.0


async def test_warning_and_miss_fire_within_one_interval_of_due(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url)
    await add_run(db, started_at=T0, budget=BUDGET)
    fired: dict[int, timedelta] = {}

    for _ in range(25):  # scan every interval, as the loop does, for 125 s
        await deadlines.scanner.scan()
        for event in await outbox_events(db):
            fired.setdefault(event.pk, event.created_at - T0)
        clock.advance(seconds=INTERVAL.total_seconds())

    warning_due, missed_due = BUDGET * 0.75, BUDGET
    events = await outbox_events(db)
    assert [event.event for event in events] == [
        EventType.DEADLINE_WARNING,
        EventType.DEADLINE_MISSED,
    ]
    warned, missed = (fired[event.pk] for event in events)
    assert warning_due <= warned < warning_due + INTERVAL
    assert missed_due < missed <= missed_due + INTERVAL


async def test_exactly_at_the_threshold_warns_and_just_below_does_not(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    deadlines = make_deadlines()
    await add_run(db, started_at=T0, budget=BUDGET, process_id="at")
    await add_run(db, started_at=T0 + timedelta(seconds=1), budget=BUDGET, process_id="below")
    clock.current = T0 + BUDGET * 0.75

    result = await deadlines.scanner.scan()

    assert result.marked[EventType.DEADLINE_WARNING] == 1
    state = await flags(db)
    assert state["at"][0] == clock.current
    assert state["below"][0] is None


async def test_an_overdue_run_is_never_warned_and_a_deadline_before_start_only_misses(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    deadlines = make_deadlines()
    await add_run(db, started_at=T0, budget=BUDGET, process_id="overdue")
    await add_run(db, started_at=T0, budget=timedelta(seconds=-30), process_id="inverted")
    clock.current = T0 + BUDGET + timedelta(seconds=1)

    result = await deadlines.scanner.scan()

    assert result.marked == {EventType.DEADLINE_WARNING: 0, EventType.DEADLINE_MISSED: 2}
    assert all(warned is None for warned, _ in (await flags(db)).values())


async def test_each_event_fires_once_per_run(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url)
    await add_run(db, started_at=T0, budget=BUDGET)
    before = counter("totrackit_processes_deadline_missed")
    clock.current = T0 + BUDGET * 0.8
    await deadlines.scanner.scan()
    clock.current = T0 + BUDGET * 2

    for _ in range(3):
        await deadlines.scanner.scan()

    assert [e.event for e in await outbox_events(db)] == [
        EventType.DEADLINE_WARNING,
        EventType.DEADLINE_MISSED,
    ]
    assert counter("totrackit_processes_deadline_missed") == before + 1


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.FAILED])
async def test_runs_that_finished_first_never_fire(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any, status: Status
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url)
    run = await add_run(db, started_at=T0, budget=BUDGET)
    async with db.begin() as conn:
        await process_repository.finish_active_run(
            conn, name=run.name, process_id=run.process_id, status=status, now=T0
        )
    clock.current = T0 + BUDGET * 2

    result = await deadlines.scanner.scan()

    assert result.marked == dict.fromkeys(EventType, 0)
    assert await outbox_events(db) == []


async def test_a_backlog_larger_than_a_batch_drains_in_one_scan(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url, notification_batch_size=3)
    for index in range(10):
        await add_run(db, started_at=T0, budget=BUDGET, process_id=f"run-{index}")
    clock.current = T0 + BUDGET * 2

    result = await deadlines.scanner.scan()

    assert result.marked[EventType.DEADLINE_MISSED] == 10
    assert len(await outbox_events(db)) == 10


async def test_without_a_webhook_runs_are_marked_and_counted_but_nothing_is_queued(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    deadlines = make_deadlines()
    await add_run(db, started_at=T0, budget=BUDGET, name="no-hook")
    before = counter("totrackit_processes_deadline_warning", "no-hook")
    clock.current = T0 + BUDGET * 0.9

    await deadlines.scanner.scan()

    assert (await flags(db))["run-001"][0] == clock.current
    assert counter("totrackit_processes_deadline_warning", "no-hook") == before + 1
    assert await outbox_events(db) == []


@pytest.mark.parametrize("threshold", [0.0, 1.0, -0.5, 1.5])
async def test_a_threshold_outside_zero_one_disables_warnings(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, threshold: float
) -> None:
    deadlines = make_deadlines(warning_threshold=threshold)
    await add_run(db, started_at=T0, budget=BUDGET)
    clock.current = T0 + BUDGET * 0.99

    result = await deadlines.scanner.scan()

    assert result.marked[EventType.DEADLINE_WARNING] == 0


async def test_extra_endpoints_get_only_the_events_and_names_they_ask_for(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    extra = [
        {"name": "billing", "url": receiver.url, "names": ["billing-*"]},
        {"name": "pager", "url": receiver.url, "events": ["process.deadline_missed"]},
    ]
    deadlines = make_deadlines(webhook_url=receiver.url, webhook_endpoints=extra)
    await add_run(db, started_at=T0, budget=BUDGET, name="billing-run")
    await add_run(db, started_at=T0, budget=BUDGET, name="signup")
    clock.current = T0 + BUDGET * 0.8
    await deadlines.scanner.scan()
    clock.current = T0 + BUDGET * 2
    await deadlines.scanner.scan()

    routed = {(e.endpoint, e.event.label, e.process_name) for e in await outbox_events(db)}

    assert routed == {
        ("default", "deadline_warning", "billing-run"),
        ("default", "deadline_warning", "signup"),
        ("default", "deadline_missed", "billing-run"),
        ("default", "deadline_missed", "signup"),
        ("billing", "deadline_warning", "billing-run"),
        ("billing", "deadline_missed", "billing-run"),
        ("pager", "deadline_missed", "billing-run"),
        ("pager", "deadline_missed", "signup"),
    }


async def test_the_outbox_row_is_written_with_the_mark(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url)
    await add_run(db, started_at=T0, budget=BUDGET)
    clock.current = T0 + BUDGET * 0.8

    await deadlines.scanner.scan()

    (event,) = await outbox_events(db)
    warned_at, _ = (await flags(db))["run-001"]
    assert event.created_at == warned_at == clock.current
    assert orjson.loads(event.payload)["seconds_remaining"] == 20


@pytest.mark.parametrize("settings_overrides", [{"warning_threshold": 0.5}])
async def test_a_run_started_through_the_api_warns_at_the_configured_threshold(
    client: Any, db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    deadlines = make_deadlines(warning_threshold=0.5)
    response = await client.post(
        "/processes/api", json={"id": "run-1", "deadline": clock.epoch(seconds=100)}
    )
    assert response.status_code == 201, response.text
    clock.advance(seconds=49)
    early = await deadlines.scanner.scan()
    clock.advance(seconds=1)
    due = await deadlines.scanner.scan()

    assert early.marked[EventType.DEADLINE_WARNING] == 0
    assert due.marked[EventType.DEADLINE_WARNING] == 1
