"""Every SQL statement of exports, imports, backups and restores."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import (
    Connection,
    column,
    delete,
    func,
    inspect,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from totrackit.db import dialect
from totrackit.db.tables import process_tags, processes
from totrackit.db.types import Timestamp
from totrackit.processes.models import ProcessRun

p = processes

#: Rows fetched per round trip while streaming a table out.
STREAM_BATCH = 5000


async def count_runs(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(p))).scalar_one())


async def stream_runs(conn: AsyncConnection) -> AsyncIterator[ProcessRun]:
    """Every run in the order they were created, fetched in batches (constant memory)."""
    result = await conn.stream(select(p).order_by(p.c.id).execution_options(yield_per=STREAM_BATCH))
    async for row in result.mappings():
        yield ProcessRun.from_row(row)


async def present_runs(
    conn: AsyncConnection, pairs: Iterable[tuple[str, str]]
) -> list[tuple[str, str, datetime, str]]:
    """``(name, id, started_at, status)`` of every stored run with one of these (name, id)."""
    wanted = list(set(pairs))
    if not wanted:
        return []
    # Two IN lists seek the (name, process_id) index for each combination on both databases
    # (a row-value IN list makes SQLite scan the whole index); pairs are then matched here.
    names, ids = {name for name, _ in wanted}, {pid for _, pid in wanted}
    statement = select(p.c.name, p.c.process_id, p.c.started_at, p.c.status).where(
        p.c.name.in_(names), p.c.process_id.in_(ids)
    )
    pairs_wanted = set(wanted)
    rows = (await conn.execute(statement)).all()
    return [tuple(row) for row in rows if (row[0], row[1]) in pairs_wanted]


PROCESS_COLUMNS = [col.name for col in p.columns]
TAG_COLUMNS = [col.name for col in process_tags.columns]
_PROCESS_KINDS = [
    "timestamp"
    if isinstance(col.type, Timestamp)
    else "json"
    if col.name in ("tags", "context")
    else "plain"
    for col in p.columns
]
_TAG_KINDS = [
    "timestamp" if isinstance(col.type, Timestamp) else "plain" for col in process_tags.columns
]


async def insert_runs(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert runs (``processes`` columns, instants as microseconds) and their tag rows with
    the bulk path of the database (COPY on PostgreSQL), every index maintained."""
    if not rows:
        return
    pks = await dialect.allocate_ids(conn, "processes", len(rows))
    native = dialect.native_values(conn, _PROCESS_KINDS)
    native_tag = dialect.native_values(conn, _TAG_KINDS)
    run_rows, tag_rows = [], []
    for pk, row in zip(pks, rows, strict=True):
        row["id"] = pk
        run_rows.append(native([row[name] for name in PROCESS_COLUMNS]))
        for position, tag in enumerate(row["tags"] or ()):
            tag_rows.append(native_tag([pk, position, tag["key"], tag["value"], row["started_at"]]))
    await dialect.bulk_insert(conn, "processes", PROCESS_COLUMNS, run_rows)
    await dialect.bulk_insert(conn, "process_tags", TAG_COLUMNS, tag_rows)


# --- whole tables, for backups and restores -------------------------------------------------


def table_columns(sync: Connection) -> dict[str, list[Any]]:
    """The database's own tables (whatever revision it is at) and their columns, reflected."""
    inspector = inspect(sync)
    return {
        name: inspector.get_columns(name)
        for name in inspector.get_table_names()
        if name != "alembic_version"
    }


def typed_table(name: str, columns: Sequence[tuple[str, Any]]) -> Any:
    return table(name, *(column(col, type_) for col, type_ in columns))


async def stream_table(
    conn: AsyncConnection, name: str, columns: Sequence[tuple[str, Any]], order_by: Sequence[str]
) -> AsyncIterator[Sequence[Any]]:
    """Every row of one table as a tuple in ``columns`` order, in batches."""
    source = typed_table(name, columns)
    statement = select(*source.c).order_by(*(source.c[col] for col in order_by))
    result = await conn.stream(statement.execution_options(yield_per=STREAM_BATCH))
    async for partition in result.partitions():
        for row in partition:
            yield tuple(row)


async def is_empty(conn: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """Row counts of the tables that hold rows (empty dict: every table is empty)."""
    found = {}
    for name in names:
        count = (await conn.execute(select(func.count()).select_from(table(name)))).scalar_one()
        if count:
            found[name] = int(count)
    return found


async def load_rows(
    conn: AsyncConnection, name: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Bulk-insert raw rows (database-native values) into one table."""
    await dialect.bulk_insert(conn, name, columns, rows)


async def reset_ids(conn: AsyncConnection, names: Iterable[str]) -> None:
    """After rows arrived with their ids, new rows must get ids above them."""
    for name in names:
        await dialect.reset_id_sequence(conn, name)


def primary_keys(sync: Connection, name: str) -> list[str]:
    return list(inspect(sync).get_pk_constraint(name).get("constrained_columns") or [])


def schema_revision(sync: Connection) -> str | None:
    return MigrationContext.configure(sync).get_current_revision()


async def clear_tables(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Delete every row of these tables, children (listed last) first."""
    for name in reversed(names):
        await conn.execute(delete(table(name)))
