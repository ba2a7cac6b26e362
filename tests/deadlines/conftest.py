"""Fixtures of the deadline engine tests: settings, an engine on the test database, runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.receiver import Receiver, running_receiver
from tests.support import FakeClock
from totrackit.db.tables import webhook_outbox
from totrackit.deadlines.models import OutboxEvent
from totrackit.deadlines.runner import DeadlineEngine
from totrackit.processes import repository as processes
from totrackit.processes.models import ProcessRun
from totrackit.processes.rules import warning_point
from totrackit.settings import Settings

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


def engine_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "env": "test",
        "notification_scan_interval": "5s",
        "webhook_secret": SECRET,
        "public_url": "https://tracker.example.com/",
        "webhook_timeout": "2s",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
async def make_deadlines(
    db: AsyncEngine, database_url: str, clock: FakeClock
) -> AsyncIterator[Any]:
    """Build engines on the test database (loops not started: tests call the steps)."""
    built: list[DeadlineEngine] = []

    def make(**overrides: Any) -> DeadlineEngine:
        deadlines = DeadlineEngine(
            settings=engine_settings(database_url, **overrides).deadlines, db=db, clock=clock
        )
        built.append(deadlines)
        return deadlines

    yield make
    for deadlines in built:
        await deadlines.stop()


async def add_run(
    db: AsyncEngine,
    *,
    started_at: datetime,
    budget: timedelta | None,
    name: str = "account-activation",
    process_id: str = "run-001",
    tags: list[dict[str, str]] | None = None,
    context: dict[str, Any] | None = None,
    threshold: float = 0.75,
) -> ProcessRun:
    """Insert an ACTIVE run directly (any start and deadline, unlike the API's checks)."""
    deadline = started_at + budget if budget is not None else None
    async with db.begin() as conn:
        run = await processes.insert_run(
            conn,
            name=name,
            process_id=process_id,
            started_at=started_at,
            deadline=deadline,
            tags=tags or [],
            context=context or {},
            warning_due_at=warning_point(
                started_at=started_at, deadline=deadline, threshold=threshold
            ),
        )
    assert run is not None
    return run


async def outbox_events(db: AsyncEngine) -> list[OutboxEvent]:
    async with db.connect() as conn:
        rows = (await conn.execute(select(webhook_outbox))).mappings().all()
    return sorted((OutboxEvent.from_row(row) for row in rows), key=lambda e: e.pk)
