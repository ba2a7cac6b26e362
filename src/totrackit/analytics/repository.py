"""Every SQL statement behind the analytics endpoints (contract section 3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    distinct,
    func,
    null,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.analytics.percentiles import PERCENTILES, lower_rank
from totrackit.db import dialect
from totrackit.db.tables import process_tags, processes
from totrackit.processes import rules
from totrackit.processes.rules import Status

p = processes
TAG_ROW_LIMIT = 100
PROBLEM_OUTCOMES = ("OVERDUE", "COMPLETED_LATE", "FAILED")
OUTCOME_COLUMNS = {
    "overdue": "OVERDUE",
    "on_track": "ON_TRACK",
    "completed_late": "COMPLETED_LATE",
    "completed_on_time": "COMPLETED_ON_TIME",
    "failed": "FAILED",
}


def _scoped_runs(conn: AsyncConnection, *, now: datetime, since: datetime, name: str | None) -> CTE:
    """Every ACTIVE run plus runs finished since ``since``, with their outcome and duration."""
    # An analytics outcome, unlike a deadline status, also places runs without a deadline:
    # active ones are on track, completed ones on time.
    active = rules.is_status(Status.ACTIVE)
    outcome = case(
        (rules.is_overdue(now), "OVERDUE"),
        (active, "ON_TRACK"),
        (rules.is_status(Status.FAILED), "FAILED"),
        (rules.completed_late(), "COMPLETED_LATE"),
        else_="COMPLETED_ON_TIME",
    )
    completed = rules.is_status(Status.COMPLETED)
    duration = case((completed, dialect.seconds_between(conn, p.c.started_at, p.c.completed_at)))
    statement = select(p.c.id, outcome.label("outcome"), duration.label("duration_s")).where(
        or_(active, p.c.completed_at >= since)
    )
    if name is not None:
        statement = statement.where(p.c.name == name)
    return statement.cte("scoped")


def _outcome_counts(outcome: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    columns = [
        func.sum(case((outcome == value, 1), else_=0)).label(label)
        for label, value in OUTCOME_COLUMNS.items()
    ]
    problems = func.sum(case((outcome.in_(PROBLEM_OUTCOMES), 1), else_=0))
    return [*columns, func.count().label("total"), problems.label("problems")]


def _duration_inputs(
    conn: AsyncConnection, durations: Select[Any], group: Sequence[str]
) -> Select[Any]:
    """Count, sum and the order statistics each percentile interpolates between, per group.

    PostgreSQL computes the interpolated percentile itself (``percentile_cont``), reported as the
    low value with no high value; elsewhere window functions pick the two order statistics.
    """
    if dialect.has_percentile_cont(conn):
        return _percentile_cont_inputs(durations, group)
    ranked_source = durations.subquery("durations")
    keys = [ranked_source.c[column] for column in group]
    rank = func.row_number().over(partition_by=keys, order_by=ranked_source.c.duration_s) - 1
    size = func.count().over(partition_by=keys)
    ranked = select(*keys, ranked_source.c.duration_s, rank.label("rn"), size.label("n")).subquery(
        "ranked"
    )
    columns: list[ColumnElement[Any]] = [
        func.max(ranked.c.n).label("n"),
        func.sum(ranked.c.duration_s).label("total"),
    ]
    for label, per_mille in PERCENTILES.items():
        low = lower_rank(ranked.c.n - 1, per_mille)
        columns.append(
            func.max(case((ranked.c.rn == low, ranked.c.duration_s))).label(f"{label}_lo")
        )
        columns.append(
            func.max(case((ranked.c.rn == low + 1, ranked.c.duration_s))).label(f"{label}_hi")
        )
    grouped = [ranked.c[column] for column in group]
    return select(*grouped, *columns).group_by(*grouped)


def _percentile_cont_inputs(durations: Select[Any], group: Sequence[str]) -> Select[Any]:
    source = durations.subquery("durations")
    keys = [source.c[column] for column in group]
    columns: list[ColumnElement[Any]] = [
        func.count().label("n"),
        func.sum(source.c.duration_s).label("total"),
    ]
    for label, per_mille in PERCENTILES.items():
        value = func.percentile_cont(per_mille / 1000).within_group(source.c.duration_s)
        columns += [value.label(f"{label}_lo"), null().label(f"{label}_hi")]
    return select(*keys, *columns).group_by(*keys)


async def tag_totals(
    conn: AsyncConnection, *, now: datetime, since: datetime, name: str | None
) -> tuple[Mapping[Any, Any], Mapping[Any, Any]]:
    """Counts over all scoped runs, and the inputs of their duration statistics."""
    scoped = _scoped_runs(conn, now=now, since=since, name=name)
    counts = select(
        func.count().label("total"),
        func.sum(case((scoped.c.outcome.in_(PROBLEM_OUTCOMES), 1), else_=0)).label("problems"),
    )
    durations = select(scoped.c.duration_s).where(scoped.c.duration_s.is_not(None))
    count_row = (await conn.execute(counts)).mappings().one()
    duration_row = (await conn.execute(_duration_inputs(conn, durations, []))).mappings().first()
    return count_row, duration_row or {"n": 0}


async def tag_breakdown(
    conn: AsyncConnection, *, now: datetime, since: datetime, name: str | None
) -> tuple[Sequence[Mapping[Any, Any]], dict[tuple[str, str], Mapping[Any, Any]]]:
    """The top tag (key, value) groups by problems, and their duration statistic inputs."""
    scoped = _scoped_runs(conn, now=now, since=since, name=name)
    t = process_tags
    joined = scoped.join(t, t.c.process_pk == scoped.c.id)
    top = (
        select(t.c.key, t.c.value, *_outcome_counts(scoped.c.outcome))
        .select_from(joined)
        .group_by(t.c.key, t.c.value)
        .order_by(
            func.sum(case((scoped.c.outcome.in_(PROBLEM_OUTCOMES), 1), else_=0)).desc(),
            func.count().desc(),
            t.c.key,
            t.c.value,
        )
        .limit(TAG_ROW_LIMIT)
    )
    groups = (await conn.execute(top)).mappings().all()
    if not groups:
        return [], {}
    wanted = [(row["key"], row["value"]) for row in groups]
    durations = (
        select(t.c.key, t.c.value, scoped.c.duration_s)
        .select_from(joined)
        .where(scoped.c.duration_s.is_not(None), tuple_(t.c.key, t.c.value).in_(wanted))
    )
    rows = (
        (await conn.execute(_duration_inputs(conn, durations, ["key", "value"]))).mappings().all()
    )
    return groups, {(row["key"], row["value"]): row for row in rows}


async def summary(conn: AsyncConnection, *, now: datetime, day_ago: datetime) -> Mapping[Any, Any]:
    completed, failed = rules.is_status(Status.COMPLETED), rules.is_status(Status.FAILED)
    recent = p.c.completed_at >= day_ago
    conditions = {
        "active": rules.is_status(Status.ACTIVE),
        "completed": completed,
        "failed": failed,
        "overdue": rules.is_overdue(now),
        "on_track": rules.is_on_track(now),
        "completed_on_time": rules.completed_on_time(),
        "completed_late": rules.completed_late(),
        "completed_24h": and_(completed, recent),
        "completed_on_time_24h": and_(rules.completed_on_time(), recent),
        "failed_24h": and_(failed, recent),
    }
    columns = [_count_where(condition).label(label) for label, condition in conditions.items()]
    return (await conn.execute(select(func.count().label("total"), *columns))).mappings().one()


async def name_rollups(
    conn: AsyncConnection, *, now: datetime, limit: int, offset: int
) -> tuple[Sequence[Mapping[Any, Any]], int]:
    conditions = {
        "active": rules.is_status(Status.ACTIVE),
        "failed": rules.is_status(Status.FAILED),
        "overdue": rules.is_overdue(now),
        "completed": rules.is_status(Status.COMPLETED),
        "completed_on_time": rules.completed_on_time(),
        "completed_late": rules.completed_late(),
    }
    statement = (
        select(
            p.c.name,
            func.count().label("total"),
            *[_count_where(condition).label(label) for label, condition in conditions.items()],
            func.max(p.c.started_at).label("last_started_at"),
        )
        .group_by(p.c.name)
        .order_by(func.count().desc(), p.c.name)
        .limit(limit)
        .offset(offset)
    )
    rows = (await conn.execute(statement)).mappings().all()
    total = (await conn.execute(select(func.count(distinct(p.c.name))))).scalar_one()
    return rows, int(total)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)
