"""Business rules of process runs (contract sections 1.3-1.7 and 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.clock import Clock
from totrackit.errors import (
    InvalidArgument,
    ProcessAlreadyCompleted,
    ProcessAlreadyExists,
    ProcessNotFound,
)
from totrackit.processes import repository
from totrackit.processes.metrics import NoMetrics, ProcessMetrics
from totrackit.processes.models import ProcessRun
from totrackit.processes.query import CURSOR_FIELDS, Cursor, ListFilter, Sort
from totrackit.processes.rules import Status, warning_point
from totrackit.processes.schemas import MAX_TAGS, NewProcessRequest

# A deadline this far in the past is still accepted, to absorb client clock skew.
PAST_DEADLINE_TOLERANCE = timedelta(seconds=60)
# Tag filters matching at most this many runs are resolved to an explicit list first.
TAG_PROBE_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    runs: list[ProcessRun]
    total: int
    total_exact: bool
    limit: int
    offset: int
    now: datetime
    has_more: bool
    #: Continues the list after this page (keyset paging), None on the last page.
    next_cursor: str | None = None
    #: The database's estimate of the full count when ``total`` is only a lower bound.
    total_estimate: int | None = None


class ProcessService:
    def __init__(
        self,
        *,
        clock: Clock,
        exact_count_limit: int,
        warning_threshold: float = 0.75,
        metrics: ProcessMetrics | None = None,
    ) -> None:
        self._clock = clock
        self._exact_count_limit = exact_count_limit
        self._warning_threshold = warning_threshold
        self._metrics = metrics or NoMetrics()

    async def start(
        self, conn: AsyncConnection, *, name: str, request: NewProcessRequest
    ) -> ProcessRun:
        """Start a run; 409 when an ACTIVE run with the same (name, id) exists."""
        now = self._clock.now()
        deadline = _checked_deadline(request.deadline, now)
        tags = [tag.model_dump() for tag in request.tags or []]
        if len(tags) > MAX_TAGS:
            raise InvalidArgument(f"Cannot have more than {MAX_TAGS} tags per process")
        run = await repository.insert_run(
            conn,
            name=name,
            process_id=request.id,
            started_at=now,
            deadline=deadline,
            tags=tags,
            context=request.context or {},
            # Fixed at the start, so the deadline scanner finds due warnings by index.
            warning_due_at=warning_point(
                started_at=now, deadline=deadline, threshold=self._warning_threshold
            ),
        )
        if run is None:
            self._metrics.refused("create")
            raise ProcessAlreadyExists(name, request.id)
        self._metrics.started(run)
        return run

    async def get(self, conn: AsyncConnection, *, name: str, process_id: str) -> ProcessRun:
        """The ACTIVE run with this (name, id), else the newest; 404 when none exists."""
        run = await repository.find_run(conn, name=name, process_id=process_id)
        if run is None:
            raise ProcessNotFound(name, process_id)
        return run

    async def finish(
        self, conn: AsyncConnection, *, name: str, process_id: str, status: Status
    ) -> ProcessRun:
        """Complete or fail the ACTIVE run; 409 when it already finished, 404 when unknown."""
        if status is Status.ACTIVE:
            raise InvalidArgument("Cannot complete process with ACTIVE status")
        run = await repository.finish_active_run(
            conn, name=name, process_id=process_id, status=status, now=self._clock.now()
        )
        if run is not None:
            self._metrics.finished(run, run.deadline_status(self._clock.now()))
            return run
        self._metrics.refused("update")
        await self.get(conn, name=name, process_id=process_id)
        raise ProcessAlreadyCompleted(name, process_id)

    async def delete(self, conn: AsyncConnection, *, name: str, process_id: str) -> None:
        """Delete the run the lookup rule selects, whatever its status."""
        run = await self.get(conn, name=name, process_id=process_id)
        await repository.delete_run(conn, pk=run.pk)
        self._metrics.deleted(run)

    async def list(
        self,
        conn: AsyncConnection,
        *,
        where: ListFilter,
        sort: Sort,
        limit: int,
        offset: int,
        cursor: Cursor | None = None,
    ) -> Page:
        """One page of runs with the total, continuing after ``cursor`` when one is given.

        Totals above the exact-count limit are not counted to the end: ``total`` is then a
        lower bound flagged ``total_exact=false``, and ``total_estimate`` the planner's estimate
        of the full count where the database has one (PostgreSQL).
        """
        now = self._clock.now()
        where = await repository.resolve_tags(conn, where=where, cap=TAG_PROBE_LIMIT)
        runs = await repository.list_runs(
            conn, where=where, sort=sort, limit=limit + 1, offset=offset, now=now, after=cursor
        )
        more = len(runs) > limit
        runs = runs[:limit]
        proven = offset + len(runs) + int(more)
        if cursor is None and not more and (runs or offset == 0):
            total, exact = offset + len(runs), True
        elif where.common_tags:
            # Counting every run that carries a common tag costs a scan of its postings; the
            # probe already proved there are more than TAG_PROBE_LIMIT.
            total, exact = max(TAG_PROBE_LIMIT + 1, proven), False
        else:
            total, exact = await self._count(conn, where, now)
            if not exact:  # a capped count: never claim fewer runs than this page proves exist
                total = max(total, proven)
        estimate = None
        if not exact:
            estimate = await repository.estimate_runs(conn, where=where, now=now)
        has_more = more if cursor is not None else offset + len(runs) < total
        next_cursor = (
            _cursor_after(runs[-1], sort) if more and sort.field in CURSOR_FIELDS else None
        )
        return Page(
            runs=runs,
            total=total,
            total_exact=exact,
            limit=limit,
            offset=offset,
            now=now,
            has_more=has_more,
            next_cursor=next_cursor,
            total_estimate=estimate,
        )

    async def _count(
        self, conn: AsyncConnection, where: ListFilter, now: datetime
    ) -> tuple[int, bool]:
        cap = self._exact_count_limit or None
        total = await repository.count_runs(conn, where=where, now=now, cap=cap)
        return total, cap is None or total <= cap


def _cursor_after(run: ProcessRun, sort: Sort) -> str:
    value = getattr(run, sort.field.value)
    return Cursor(sort=sort, value=value, pk=run.pk).encode()


def _checked_deadline(deadline: int | None, now: datetime) -> datetime | None:
    if deadline is None:
        return None
    if deadline <= 0:
        raise InvalidArgument("Deadline must be a positive timestamp")
    try:
        moment = datetime.fromtimestamp(deadline, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidArgument("Deadline is out of range") from exc
    if moment < now - PAST_DEADLINE_TOLERANCE:
        raise InvalidArgument("Deadline cannot be in the past")
    return moment
