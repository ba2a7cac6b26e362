"""/health/ready answers from a recent database check instead of checking on every probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.health.service import DOWN, READY_MAX_AGE, UP, HealthService
from totrackit.lifecycle import Lifecycle


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def statements(db: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", note)


def service(db: AsyncEngine, ticks: Ticks) -> HealthService:
    return HealthService(db=db, lifecycle=Lifecycle(ready=True), monotonic=ticks)


async def test_probes_within_the_max_age_reuse_one_check(db: AsyncEngine) -> None:
    ticks = Ticks()
    health = service(db, ticks)
    first = await health.readiness()
    ticks.now += READY_MAX_AGE

    with statements(db) as seen:
        again = [await health.readiness() for _ in range(20)]

    assert first["status"] == UP
    assert all(body["status"] == UP for body in again)
    assert seen == [], "a probe inside the max age touched the database"


async def test_an_older_check_is_repeated_before_answering(db: AsyncEngine) -> None:
    ticks = Ticks()
    health = service(db, ticks)
    await health.readiness()
    ticks.now += READY_MAX_AGE + 0.001

    with statements(db) as seen:
        body = await health.readiness()

    assert body["status"] == UP
    assert seen, "a probe past the max age answered from the old check"


async def test_a_database_lost_after_the_last_check_is_reported_once_it_is_stale(
    database_url: str,
) -> None:
    from totrackit.db.connect import make_db
    from totrackit.settings import Settings

    db = make_db(Settings(database_url=database_url).database)
    ticks = Ticks()
    health = service(db, ticks)
    assert (await health.readiness())["status"] == UP
    await db.dispose()
    # Point the pool at a database that cannot answer: every new connection fails.
    db.sync_engine.pool._creator = _refuse  # type: ignore[attr-defined]
    ticks.now += READY_MAX_AGE + 0.001

    body = await health.readiness()

    assert body["status"] == DOWN
    assert body["database"]["connectionPool"] == "unavailable"


def _refuse() -> object:
    raise ConnectionRefusedError("the database is gone")


async def test_the_background_refresh_keeps_the_check_fresh(db: AsyncEngine) -> None:
    health = HealthService(db=db, lifecycle=Lifecycle(ready=True))

    async with health.refreshing():
        for _ in range(100):  # the first background check, usually within milliseconds
            if health._checked is not None:
                break
            await asyncio.sleep(0.05)
        with statements(db) as seen:
            body = await health.readiness()

    assert health._checked is not None
    assert body["status"] == UP
    assert seen == []
