"""Every SQL statement of the deadline engine: marking due runs, the webhook outbox, retention.

Claims use ``FOR UPDATE SKIP LOCKED`` so any number of engines share the work row by row on
PostgreSQL; SQLite ignores the clause, and its single writer serialises the claims instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Update, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.db.tables import (
    ACTIVE_ONLY,
    PENDING_ONLY,
    UNNOTIFIED,
    UNWARNED,
    process_tags,
    processes,
    webhook_outbox,
)
from totrackit.deadlines.models import DueRun, OutboxEvent, OutboxStatus
from totrackit.processes import rules
from totrackit.processes.models import ProcessRun

p = processes
o = webhook_outbox

_RUN_COLUMNS = (p.c.id, p.c.name, p.c.process_id, p.c.started_at, p.c.deadline, p.c.tags)


def _missed(now: datetime) -> list[Any]:
    """Contract 4.3. The text predicate matches the partial index's, so the planner uses it."""
    return [UNNOTIFIED, p.c.deadline < now]


def _warning(now: datetime) -> list[Any]:
    """Contract 4.2: the run has used the threshold of its budget (its warning point, fixed at
    the start: ``processes.models.warning_point``) and its deadline is still ahead."""
    return [UNWARNED, p.c.warning_due_at <= now, p.c.deadline > now]


async def mark_missed(conn: AsyncConnection, *, now: datetime, limit: int) -> list[DueRun]:
    """Mark up to ``limit`` runs whose deadline passed, earliest first; returns them."""
    due_first = p.c.deadline
    return await _mark(
        conn, _missed(now), p.c.deadline_notified_at, due_first, now=now, limit=limit
    )


async def mark_warned(conn: AsyncConnection, *, now: datetime, limit: int) -> list[DueRun]:
    """Mark up to ``limit`` runs due for a warning, earliest first; returns them."""
    due_first = p.c.warning_due_at
    return await _mark(conn, _warning(now), p.c.deadline_warned_at, due_first, now=now, limit=limit)


async def _mark(
    conn: AsyncConnection,
    conditions: list[Any],
    flag: Any,
    order: Any,
    *,
    now: datetime,
    limit: int,
) -> list[DueRun]:
    # Rows a completing request holds are about to stop being ACTIVE: skipping them is right.
    statement = _claim(p, conditions, order, limit=limit).values({flag: now})
    statement = statement.returning(*_RUN_COLUMNS, p.c.context, p.c.warning_due_at)
    rows = (await conn.execute(statement)).mappings().all()
    return sorted((DueRun.from_row(row) for row in rows), key=lambda run: (run.deadline, run.pk))


def _claim(table: Table, conditions: list[Any], order: Any, *, limit: int) -> Update:
    """``UPDATE table WHERE id IN (the first `limit` matching rows, FOR UPDATE SKIP LOCKED)``.

    How engines share work with no leader: rows another engine holds are skipped, not waited
    for, so each claims a disjoint batch. SQLite ignores the locking clause; its single writer
    serialises the claims instead.
    """
    due = (
        select(table.c.id)
        .where(*conditions)
        .order_by(order)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return update(table).where(table.c.id.in_(due.scalar_subquery()))


async def count_missed(conn: AsyncConnection, *, now: datetime) -> int:
    return await _count(conn, _missed(now))


async def count_warning(conn: AsyncConnection, *, now: datetime) -> int:
    return await _count(conn, _warning(now))


async def _count(conn: AsyncConnection, conditions: list[Any]) -> int:
    statement = select(func.count()).select_from(p).where(*conditions)
    return int((await conn.execute(statement)).scalar_one())


async def overdue_by_name(conn: AsyncConnection, *, now: datetime, limit: int) -> dict[str, int]:
    """ACTIVE runs past their deadline per name, the ``limit`` names with most (contract 5)."""
    count = func.count()
    statement = (
        select(p.c.name, count)
        .where(rules.is_overdue(now))
        .group_by(p.c.name)
        .order_by(count.desc(), p.c.name)
        .limit(limit)
    )
    return {name: int(total) for name, total in (await conn.execute(statement)).all()}


async def count_active(conn: AsyncConnection) -> int:
    statement = select(func.count()).select_from(p).where(ACTIVE_ONLY)
    return int((await conn.execute(statement)).scalar_one())


# --- outbox ---------------------------------------------------------------------------------


async def enqueue(conn: AsyncConnection, *, rows: Sequence[dict[str, Any]]) -> None:
    """Insert outbox rows (see ``webhook_outbox`` for the columns)."""
    if rows:
        await conn.execute(insert(o), list(rows))


async def claim_due(
    conn: AsyncConnection,
    *,
    now: datetime,
    lease_until: datetime,
    endpoints: Sequence[str],
    limit: int,
) -> list[OutboxEvent]:
    """Claim up to ``limit`` due events for these receivers, oldest due first.

    The claim moves ``next_attempt_at`` to the end of the lease and counts the attempt, so no
    other engine takes the rows meanwhile, and an engine that dies mid-delivery leaves them
    due again when the lease ends.
    """
    if not endpoints:
        return []
    conditions = [PENDING_ONLY, o.c.next_attempt_at <= now, o.c.endpoint.in_(endpoints)]
    statement = (
        _claim(o, conditions, o.c.next_attempt_at, limit=limit)
        .values(next_attempt_at=lease_until, attempts=o.c.attempts + 1, last_attempt_at=now)
        .returning(*o.c)
    )
    rows = (await conn.execute(statement)).mappings().all()
    return [OutboxEvent.from_row(row) for row in rows]


async def record_attempt(
    conn: AsyncConnection, *, claimed: OutboxEvent, values: dict[str, Any]
) -> bool:
    """Store an attempt's outcome; False when the claim was lost (its lease ran out and
    another engine claimed the event again), so a late result never overwrites a newer one."""
    statement = (
        update(o)
        .where(o.c.id == claimed.pk, PENDING_ONLY, o.c.attempts == claimed.attempts)
        .values(**values)
    )
    return (await conn.execute(statement)).rowcount == 1


async def release(conn: AsyncConnection, *, claimed: OutboxEvent, at: datetime) -> None:
    """Give back a claim that was not attempted (its receiver is paused)."""
    statement = (
        update(o)
        .where(o.c.id == claimed.pk, PENDING_ONLY, o.c.attempts == claimed.attempts)
        .values(next_attempt_at=at, attempts=o.c.attempts - 1)
    )
    await conn.execute(statement)


async def expire(conn: AsyncConnection, *, now: datetime, enqueued_before: datetime) -> int:
    """Mark dead the pending events queued before the cutoff and not being attempted now."""
    statement = (
        update(o)
        .where(PENDING_ONLY, o.c.next_attempt_at <= now, o.c.enqueued_at < enqueued_before)
        .values(
            status=OutboxStatus.DEAD.value,
            last_error=func.coalesce(o.c.last_error, "expired before any delivery attempt"),
        )
    )
    return int((await conn.execute(statement)).rowcount)


async def purge(conn: AsyncConnection, *, created_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` delivered or dead events created before the cutoff."""
    finished = (OutboxStatus.DELIVERED.value, OutboxStatus.DEAD.value)
    doomed = (
        select(o.c.id).where(o.c.status.in_(finished), o.c.created_at < created_before).limit(limit)
    )
    statement = delete(o).where(o.c.id.in_(doomed.scalar_subquery()))
    return int((await conn.execute(statement)).rowcount)


async def count_by_status(conn: AsyncConnection) -> dict[OutboxStatus, int]:
    statement = select(o.c.status, func.count()).group_by(o.c.status)
    found = {OutboxStatus(status): int(n) for status, n in (await conn.execute(statement)).all()}
    return {status: found.get(status, 0) for status in OutboxStatus}


async def list_events(
    conn: AsyncConnection, *, status: OutboxStatus | None, limit: int
) -> list[OutboxEvent]:
    """The newest events, optionally of one status."""
    statement = select(o).order_by(o.c.created_at.desc(), o.c.id.desc()).limit(limit)
    if status is not None:
        statement = statement.where(o.c.status == status.value)
    rows = (await conn.execute(statement)).mappings().all()
    return [OutboxEvent.from_row(row) for row in rows]


async def requeue(
    conn: AsyncConnection, *, now: datetime, event_id: str | None, dead_only: bool
) -> int:
    """Make events pending again, due now, with a fresh max age; returns how many."""
    statement = update(o).values(
        status=OutboxStatus.PENDING.value,
        attempts=0,
        enqueued_at=now,
        next_attempt_at=now,
        delivered_at=None,
    )
    if event_id is not None:
        statement = statement.where(o.c.event_id == event_id)
    if dead_only:
        statement = statement.where(o.c.status == OutboxStatus.DEAD.value)
    return int((await conn.execute(statement)).rowcount)


# Retention (TOTRACKIT_RUN_RETENTION).
_FINISHED = (rules.Status.COMPLETED.value, rules.Status.FAILED.value)


async def finished_before(
    conn: AsyncConnection, *, cutoff: datetime, limit: int
) -> list[ProcessRun]:
    """Up to ``limit`` finished runs completed before ``cutoff``, oldest first (the
    ``completed_at, id`` index), locked so that another engine's retention skips them."""
    statement = (
        select(p)
        .where(p.c.status.in_(_FINISHED), p.c.completed_at < cutoff)
        .order_by(p.c.completed_at, p.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [ProcessRun.from_row(row) for row in (await conn.execute(statement)).mappings()]


async def delete_runs(conn: AsyncConnection, pks: Sequence[int]) -> int:
    """Delete these runs and their tags (SQLite does not enforce the cascade by default)."""
    await conn.execute(delete(process_tags).where(process_tags.c.process_pk.in_(pks)))
    return int((await conn.execute(delete(p).where(p.c.id.in_(pks)))).rowcount)
