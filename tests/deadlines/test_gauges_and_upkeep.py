"""Gauges (contract 5) and outbox upkeep: refreshed in the background, bounded, tidy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.conftest import add_run, outbox_events
from tests.support import T0, FakeClock
from totrackit.db.tables import webhook_outbox
from totrackit.deadlines.models import OutboxStatus

BUDGET = timedelta(seconds=100)


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_overdue_gauge_counts_per_name_and_zeroes_names_that_recover(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    deadlines = make_deadlines()
    for index in range(3):
        await add_run(db, started_at=T0, budget=BUDGET, name="gauge-a", process_id=f"a-{index}")
    await add_run(db, started_at=T0, budget=BUDGET * 10, name="gauge-b")
    clock.current = T0 + BUDGET * 2

    await deadlines.upkeep.refresh_gauges()
    first = gauge("totrackit_processes_overdue_current", process_name="gauge-a")
    clock.current = T0 - timedelta(seconds=1)  # nothing overdue any more
    await deadlines.upkeep.refresh_gauges()

    assert first == 3
    assert gauge("totrackit_processes_overdue_current", process_name="gauge-a") == 0
    assert gauge("totrackit_active_processes_current") == 4


async def test_backlog_and_outbox_gauges(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url)
    await add_run(db, started_at=T0, budget=BUDGET, process_id="late")
    await add_run(db, started_at=T0, budget=BUDGET * 2, process_id="warn")
    clock.current = T0 + BUDGET * 1.6

    await deadlines.upkeep.refresh_gauges()
    backlog = {
        event: gauge("totrackit_notifications_backlog", event=event)
        for event in ("deadline_missed", "deadline_warning")
    }
    await deadlines.scanner.scan()
    await deadlines.upkeep.refresh_gauges()

    assert backlog == {"deadline_missed": 1, "deadline_warning": 1}
    assert gauge("totrackit_notifications_backlog", event="deadline_missed") == 0
    assert gauge("totrackit_webhook_outbox_pending") == 2
    assert gauge("totrackit_webhook_outbox_dead") == 0


async def test_upkeep_expires_stuck_events_and_purges_old_finished_ones(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, receiver: Any
) -> None:
    deadlines = make_deadlines(webhook_url=receiver.url, webhook_max_age="1h")
    await add_run(db, started_at=T0, budget=BUDGET, process_id="one")
    await add_run(db, started_at=T0, budget=BUDGET, process_id="two")
    clock.current = T0 + BUDGET * 2
    await deadlines.scanner.scan()
    (first,) = [e for e in await outbox_events(db) if e.process_id == "one"]
    async with db.begin() as conn:  # one delivered, one left pending (receiver gone)
        await conn.execute(
            update(webhook_outbox)
            .where(webhook_outbox.c.id == first.pk)
            .values(status="DELIVERED", delivered_at=clock.current)
        )

    clock.advance(hours=2)
    await deadlines.upkeep.run()
    statuses = {e.process_id: e.status for e in await outbox_events(db)}
    clock.advance(days=8)
    await deadlines.upkeep.run()

    assert statuses == {"one": OutboxStatus.DELIVERED, "two": OutboxStatus.DEAD}
    assert await outbox_events(db) == []
