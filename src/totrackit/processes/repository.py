"""Every SQL statement about process runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.db import dialect
from totrackit.db.tables import process_tags, processes
from totrackit.db.types import Timestamp
from totrackit.processes import rules
from totrackit.processes.models import ProcessRun
from totrackit.processes.query import Cursor, ListFilter, Sort, SortField
from totrackit.processes.rules import Status

p = processes


# The INSERT of a run is SQL text built once from the table, not ``insert(...).on_conflict_do_nothing()``:
# SQLAlchemy cannot cache the compiled form of its dialect-specific INSERT constructs (their cache key
# is None), so that statement was compiled again on every create, a sixth of a create's CPU. Text
# with typed bind parameters and typed result columns is compiled once and cached.
_COLUMNS = ", ".join(p.c.keys())
_RUN_VALUES = (
    "(process_id, name, status, started_at, deadline, tags, context, warning_due_at,"
    " created_at, updated_at) VALUES (:process_id, :name, 'ACTIVE', :started_at, :deadline,"
    " :tags, :context, :warning_due_at, :started_at, :started_at)"
)
_RUN_PARAMETERS = (
    bindparam("process_id", type_=p.c.process_id.type),
    bindparam("name", type_=p.c.name.type),
    bindparam("started_at", type_=Timestamp()),
    bindparam("deadline", type_=Timestamp()),
    bindparam("tags", type_=p.c.tags.type),
    bindparam("context", type_=p.c.context.type),
    bindparam("warning_due_at", type_=Timestamp()),
)
#: The run alone, skipping a conflicting ACTIVE run (both databases).
INSERT_RUN = (
    text(f"INSERT INTO processes {_RUN_VALUES} ON CONFLICT DO NOTHING RETURNING {_COLUMNS}")
    .bindparams(*_RUN_PARAMETERS)
    .columns(*p.c)
)
#: The run and its tag rows in one statement, one round trip (PostgreSQL: a data-modifying CTE).
#: No run inserted (a conflict) means no tag rows and no row returned.
INSERT_RUN_WITH_TAGS = (
    text(
        f"WITH run AS (INSERT INTO processes {_RUN_VALUES} ON CONFLICT DO NOTHING"
        f" RETURNING {_COLUMNS}),"
        " tagged AS (INSERT INTO process_tags (process_pk, position, key, value, started_at)"
        " SELECT run.id, tag.position - 1, tag.key, tag.value, run.started_at FROM run,"
        " unnest(:tag_keys, :tag_values) WITH ORDINALITY AS tag(key, value, position))"
        f" SELECT {_COLUMNS} FROM run"
    )
    .bindparams(
        *_RUN_PARAMETERS,
        bindparam("tag_keys", type_=dialect.TextArray),
        bindparam("tag_values", type_=dialect.TextArray),
    )
    .columns(*p.c)
)


async def insert_run(
    conn: AsyncConnection,
    *,
    name: str,
    process_id: str,
    started_at: datetime,
    deadline: datetime | None,
    tags: list[dict[str, str]],
    context: dict[str, Any],
    warning_due_at: datetime | None = None,
) -> ProcessRun | None:
    """Insert an ACTIVE run; None when an ACTIVE run with the same (name, id) exists."""
    values = {
        "process_id": process_id,
        "name": name,
        "started_at": started_at,
        "deadline": deadline,
        "tags": tags or None,
        "context": context or None,
        "warning_due_at": warning_due_at,
    }
    if dialect.writes_tags_with_run(conn):
        values["tag_keys"] = [tag["key"] for tag in tags]
        values["tag_values"] = [tag["value"] for tag in tags]
        row = (await conn.execute(INSERT_RUN_WITH_TAGS, values)).mappings().first()
        return ProcessRun.from_row(row) if row else None
    row = (await conn.execute(INSERT_RUN, values)).mappings().first()
    if row is None:
        return None
    if tags:
        await conn.execute(
            insert(process_tags),
            [
                {
                    "process_pk": row["id"],
                    "position": position,
                    "key": tag["key"],
                    "value": tag["value"],
                    "started_at": started_at,
                }
                for position, tag in enumerate(tags)
            ],
        )
    return ProcessRun.from_row(row)


# Built once: building a statement per call cost about a sixth of a read's CPU, more than
# compiling it (which the cache already spares).
_FIND_RUN = (
    select(p)
    .where(p.c.name == bindparam("name"), p.c.process_id == bindparam("process_id"))
    .order_by((p.c.status == Status.ACTIVE.value).desc(), p.c.started_at.desc(), p.c.id.desc())
    .limit(1)
)
_FINISH_ACTIVE_RUN = (
    update(p)
    .where(
        p.c.name == bindparam("match_name"),
        p.c.process_id == bindparam("match_process_id"),
        p.c.status == Status.ACTIVE.value,
    )
    .values(
        status=bindparam("new_status"),
        completed_at=bindparam("now", type_=Timestamp()),
        updated_at=bindparam("now", type_=Timestamp()),
    )
    .returning(*p.c)
)


async def find_run(conn: AsyncConnection, *, name: str, process_id: str) -> ProcessRun | None:
    """The ACTIVE run with this (name, id), else the most recently started one."""
    values = {"name": name, "process_id": process_id}
    row = (await conn.execute(_FIND_RUN, values)).mappings().first()
    return ProcessRun.from_row(row) if row else None


async def finish_active_run(
    conn: AsyncConnection, *, name: str, process_id: str, status: Status, now: datetime
) -> ProcessRun | None:
    """Move the ACTIVE run with this (name, id) to ``status``; None when there is none."""
    values = {
        "match_name": name,
        "match_process_id": process_id,
        "new_status": status.value,
        "now": now,
    }
    row = (await conn.execute(_FINISH_ACTIVE_RUN, values)).mappings().first()
    return ProcessRun.from_row(row) if row else None


async def delete_run(conn: AsyncConnection, *, pk: int) -> None:
    await conn.execute(delete(process_tags).where(process_tags.c.process_pk == pk))
    await conn.execute(delete(p).where(p.c.id == pk))


async def list_runs(
    conn: AsyncConnection,
    *,
    where: ListFilter,
    sort: Sort,
    limit: int,
    offset: int,
    now: datetime,
    after: Cursor | None = None,
) -> list[ProcessRun]:
    """One page of runs; asks for ``limit`` rows (callers pass page size + 1 to see more).

    ``after`` continues the list strictly after a cursor's row instead of skipping ``offset``
    rows, which the database would have to read and discard one by one.
    """
    conditions = [*_conditions(conn, where, now, walking=True)]
    if after is not None:
        conditions.append(_after(after))
    statement = (
        select(p)
        .where(*conditions)
        .order_by(*_order(sort, now), p.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await conn.execute(statement)).mappings().all()
    return [ProcessRun.from_row(row) for row in rows]


def _after(cursor: Cursor) -> ColumnElement[bool]:
    """The rows after ``cursor`` in the order ``column [ASC|DESC] NULLS LAST, id DESC``.

    Written as a bound on the column plus a tiebreak (not a row comparison) so that the sort
    index bounds the scan on both databases, whatever the direction.
    """
    column = p.c[cursor.sort.field.value]
    earlier_id = p.c.id < cursor.pk
    if cursor.value is None:  # already among the NULLs, which come last in both directions
        return and_(column.is_(None), earlier_id)
    beyond = column < cursor.value if cursor.sort.descending else column > cursor.value
    bounded = column <= cursor.value if cursor.sort.descending else column >= cursor.value
    after = and_(bounded, or_(beyond, earlier_id))
    if cursor.sort.field in (SortField.COMPLETED_AT, SortField.DEADLINE):
        return or_(after, column.is_(None))
    return after


async def resolve_tags(conn: AsyncConnection, *, where: ListFilter, cap: int) -> ListFilter:
    """Turn a selective tag filter into the list of matching runs, when that is cheap.

    The planner cannot know how many runs carry a combination of tags, so on its own it may walk
    the whole table in start order looking for matches that do not exist. Where the database
    can answer it from an index (PostgreSQL), ask first for up to ``cap`` matches: few matches
    become an explicit key list; more mean the tags are common, and the ordered walk finds a page
    quickly (the filter is then marked ``common_tags``).
    """
    if not where.tags or not dialect.tag_probe_supported(conn):
        return where
    pks = tuple((await conn.execute(_tag_probe(conn, where.tags, cap))).scalars().all())
    if len(pks) > cap:
        return replace(where, common_tags=True)
    return replace(where, tags={}, candidate_pks=pks)


def _tag_probe(conn: AsyncConnection, tags: dict[str, str], cap: int) -> Select[Any]:
    if len(tags) == 1:  # one tag: an index-only range scan of process_tags
        ((key, value),) = tags.items()
        t = process_tags
        return select(t.c.process_pk).where(t.c.key == key, t.c.value == value).limit(cap + 1)
    # several: the GIN index intersects their posting lists, fast even when nothing matches
    return select(p.c.id).where(*dialect.has_tags(conn, tags)).limit(cap + 1)


async def count_runs(
    conn: AsyncConnection, *, where: ListFilter, now: datetime, cap: int | None
) -> int:
    """How many runs match, counting at most ``cap`` + 1 when a cap is given."""
    matching: Select[Any] = select(literal(1)).select_from(p).where(*_conditions(conn, where, now))
    if cap is not None:
        matching = matching.limit(cap + 1)
    statement = select(func.count()).select_from(matching.subquery())
    return int((await conn.execute(statement)).scalar_one())


async def estimate_runs(conn: AsyncConnection, *, where: ListFilter, now: datetime) -> int | None:
    """The database's estimate of how many runs match (None where it has none)."""
    matching: Select[Any] = select(literal(1)).select_from(p).where(*_conditions(conn, where, now))
    return await dialect.estimated_rows(conn, matching)


def _conditions(
    conn: AsyncConnection, where: ListFilter, now: datetime, *, walking: bool = False
) -> Sequence[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if where.name is not None:
        clauses.append(p.c.name == where.name)
    if where.process_id is not None:
        clauses.append(p.c.process_id == where.process_id)
    if where.status is not None:
        clauses.append(p.c.status == where.status.value)
    if where.deadline_status is not None:
        clauses.append(rules.has_deadline_status(where.deadline_status, now))
    if where.deadline_before is not None:
        clauses.append(p.c.deadline < where.deadline_before)
    if where.deadline_after is not None:
        clauses.append(p.c.deadline > where.deadline_after)
    if where.running_for_minutes is not None:
        started_before = now - timedelta(minutes=where.running_for_minutes)
        clauses += [p.c.status == Status.ACTIVE.value, p.c.started_at <= started_before]
    if where.candidate_pks is not None:
        clauses.append(p.c.id.in_(where.candidate_pks))
    clauses += dialect.has_tags(conn, where.tags, walking=walking)
    return clauses


def _order(sort: Sort, now: datetime) -> list[ColumnElement[Any]]:
    column: ColumnElement[Any]
    if sort.field is SortField.DURATION:
        column = func.coalesce(p.c.completed_at, literal(now, Timestamp())) - p.c.started_at
    else:
        column = p.c[sort.field.value]
    ordered = column.desc() if sort.descending else column.asc()
    if sort.field in (SortField.COMPLETED_AT, SortField.DEADLINE):
        ordered = ordered.nulls_last()
    return [ordered]
