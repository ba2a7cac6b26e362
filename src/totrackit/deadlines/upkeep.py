"""Background upkeep: refresh the engine's gauges and keep the outbox from growing forever."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.clock import Clock
from totrackit.deadlines import metrics
from totrackit.deadlines import repository as repo
from totrackit.deadlines.models import EventType, OutboxStatus
from totrackit.processes.rules import warnings_enabled

# Contract 5: the overdue gauge covers at most this many names.
OVERDUE_NAMES = 100
PURGE_BATCH = 5000
PURGE_BATCHES_PER_ROUND = 20


class Upkeep:
    def __init__(
        self,
        *,
        db: AsyncEngine,
        clock: Clock,
        threshold: float,
        max_age: timedelta,
        retention: timedelta,
    ) -> None:
        self._db = db
        self._clock = clock
        self._threshold = threshold
        self._max_age = max_age
        self._retention = retention
        self._overdue_names: set[str] = set()

    async def run(self) -> None:
        """One round: expire and purge outbox rows, then refresh every gauge."""
        await self.tidy_outbox()
        await self.refresh_gauges()

    async def tidy_outbox(self) -> None:
        now = self._clock.now()
        async with self._db.begin() as conn:
            await repo.expire(conn, now=now, enqueued_before=now - self._max_age)
        for _ in range(PURGE_BATCHES_PER_ROUND):
            async with self._db.begin() as conn:
                purged = await repo.purge(
                    conn, created_before=now - self._retention, limit=PURGE_BATCH
                )
            if purged < PURGE_BATCH:
                return

    async def refresh_gauges(self) -> None:
        now = self._clock.now()
        async with self._db.connect() as conn:
            overdue = await repo.overdue_by_name(conn, now=now, limit=OVERDUE_NAMES)
            active = await repo.count_active(conn)
            missed = await repo.count_missed(conn, now=now)
            warning = 0
            if warnings_enabled(self._threshold):
                warning = await repo.count_warning(conn, now=now)
            outbox = await repo.count_by_status(conn)
        self._publish_overdue(overdue)
        metrics.ACTIVE.set(active)
        metrics.BACKLOG.labels(EventType.DEADLINE_MISSED.label).set(missed)
        metrics.BACKLOG.labels(EventType.DEADLINE_WARNING.label).set(warning)
        metrics.OUTBOX_PENDING.set(outbox[OutboxStatus.PENDING])
        metrics.OUTBOX_DEAD.set(outbox[OutboxStatus.DEAD])

    def _publish_overdue(self, snapshot: dict[str, int]) -> None:
        """Contract 5: set the snapshot, zero the names that left it, and drop zeroed series
        beyond the cap so the series count stays bounded."""
        for name, count in snapshot.items():
            metrics.OVERDUE.labels(name).set(count)
        absent = self._overdue_names - snapshot.keys()
        for name in absent:
            metrics.OVERDUE.labels(name).set(0)
        self._overdue_names |= snapshot.keys()
        if len(self._overdue_names) > OVERDUE_NAMES:
            for name in absent:
                metrics.OVERDUE.remove(name)
            self._overdue_names -= absent
