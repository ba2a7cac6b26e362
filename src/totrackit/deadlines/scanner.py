"""Detection: mark runs whose deadline warning or miss is due and produce their events.

Each batch is one transaction that marks the runs and writes their outbox rows together: an
event exists exactly when its run is marked, so a crash at any moment neither loses an event
nor produces one twice. Batches repeat until nothing is due, so a backlog drains in one scan.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.clock import Clock
from totrackit.deadlines import metrics
from totrackit.deadlines import repository as repo
from totrackit.deadlines.models import DueRun, EventType, OutboxStatus
from totrackit.deadlines.payload import build_payload
from totrackit.deadlines.receivers import Receiver
from totrackit.observability.metrics import process_label
from totrackit.processes.rules import warnings_enabled


@dataclass
class ScanResult:
    """What one scan produced: marked runs per event, and outbox rows written."""

    marked: dict[EventType, int] = field(default_factory=lambda: dict.fromkeys(EventType, 0))
    enqueued: int = 0


class Scanner:
    def __init__(
        self,
        *,
        db: AsyncEngine,
        clock: Clock,
        endpoints: Sequence[Receiver],
        threshold: float,
        batch_size: int,
        public_url: str,
    ) -> None:
        self._db = db
        self._clock = clock
        self._endpoints = tuple(endpoints)
        self._threshold = threshold
        self._batch_size = batch_size
        self._public_url = public_url

    async def scan(self) -> ScanResult:
        """One full scan at the clock's current time: warnings first, then misses (contract 4.1)."""
        started, now = time.perf_counter(), self._clock.now()
        result = ScanResult()
        if warnings_enabled(self._threshold):
            await self._drain(EventType.DEADLINE_WARNING, now, result)
        await self._drain(EventType.DEADLINE_MISSED, now, result)
        metrics.SCAN_DURATION.observe(time.perf_counter() - started)
        return result

    async def _drain(self, event: EventType, now: datetime, result: ScanResult) -> None:
        while True:
            runs, enqueued = await self._batch(event, now)
            result.marked[event] += len(runs)
            result.enqueued += enqueued
            _count(event, runs, now)
            if len(runs) < self._batch_size:
                return

    async def _batch(self, event: EventType, now: datetime) -> tuple[list[DueRun], int]:
        async with self._db.begin() as conn:
            if event is EventType.DEADLINE_WARNING:
                runs = await repo.mark_warned(conn, now=now, limit=self._batch_size)
            else:
                runs = await repo.mark_missed(conn, now=now, limit=self._batch_size)
            rows = self._outbox_rows(event, runs, now)
            await repo.enqueue(conn, rows=rows)
        return runs, len(rows)

    def _outbox_rows(
        self, event: EventType, runs: Sequence[DueRun], now: datetime
    ) -> list[dict[str, Any]]:
        rows = []
        for run in runs:
            targets = [e for e in self._endpoints if e.accepts(event, run.name)]
            if not targets:
                continue
            body = build_payload(event=event, run=run, now=now, public_url=self._public_url)
            rows += [_outbox_row(event, run, endpoint.name, body, now) for endpoint in targets]
        return rows


def _outbox_row(
    event: EventType, run: DueRun, endpoint: str, body: str, now: datetime
) -> dict[str, Any]:
    return {
        "event_id": f"msg_{uuid.uuid4().hex}",
        "endpoint": endpoint,
        "event": event.value,
        "process_pk": run.pk,
        "process_name": run.name,
        "process_id": run.process_id,
        "payload": body,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "created_at": now,
        "enqueued_at": now,
        "next_attempt_at": now,
        "last_attempt_at": None,
        "delivered_at": None,
        "last_status_code": None,
        "last_error": None,
    }


def _count(event: EventType, runs: Sequence[DueRun], now: datetime) -> None:
    """Count the events (after their transaction committed) and how late each was produced."""
    # One label lookup per name and per batch, not per run: batches hold hundreds of runs.
    for name, count in Counter(run.name for run in runs).items():
        metrics.PROCESS_COUNTERS[event].labels(process_label(name)).inc(count)
    lag = metrics.FIRE_LAG.labels(event.label)
    for run in runs:
        due = run.deadline
        if event is EventType.DEADLINE_WARNING and run.warning_due_at is not None:
            due = run.warning_due_at
        lag.observe(max(0.0, (now - due).total_seconds()))
