"""Representative rows written at any revision, and exact snapshots of what a database holds.

Rows are written with the columns the table has *at that revision* (read from the database,
not from today's code), so the same runs can be seeded before and after every migration. Values
go through today's column types where the column still exists, which is how the service stores
them (integer microseconds on SQLite, timestamptz on PostgreSQL, JSON documents).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db.tables import metadata

T0 = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)

# Tables the migrations manage besides the service's own.
BOOKKEEPING = {"alembic_version"}


def runs(label: str) -> list[dict[str, Any]]:
    """One run of each kind the service stores; ``label`` keeps rows seeded at different
    revisions apart. Values only some revisions have (warning_due_at) are written where the
    column exists."""
    return [
        {  # open, deadline ahead, warning not yet sent, unicode and nested context
            "process_id": f"{label}-open",
            "name": "order-fulfilment",
            "status": "ACTIVE",
            "started_at": T0,
            "deadline": T0 + timedelta(hours=2),
            "warning_due_at": T0 + timedelta(hours=1, minutes=30),
            "tags": [{"key": "country", "value": "DE"}, {"key": "tier", "value": "gold ✓"}],
            "context": {"customer": {"id": "C-1", "name": "Zoë"}, "items": [1, 2, 3]},
        },
        {  # finished on time
            "process_id": f"{label}-done",
            "name": "order-fulfilment",
            "status": "COMPLETED",
            "started_at": T0 - timedelta(days=1),
            "completed_at": T0 - timedelta(days=1) + timedelta(minutes=5, microseconds=7),
            "deadline": T0 - timedelta(days=1) + timedelta(hours=1),
            "tags": [{"key": "country", "value": "FR"}],
            "context": None,
        },
        {  # failed after its deadline, warned and notified, no tags
            "process_id": f"{label}-failed",
            "name": "invoice-sync",
            "status": "FAILED",
            "started_at": T0 - timedelta(hours=5),
            "completed_at": T0 - timedelta(hours=1),
            "deadline": T0 - timedelta(hours=3),
            "deadline_warned_at": T0 - timedelta(hours=3, minutes=30),
            "deadline_notified_at": T0 - timedelta(hours=3),
            "tags": None,
            "context": {"attempt": 3, "error": "timeout"},
        },
        {  # open, deadline passed and notified, no deadline warning column value
            "process_id": f"{label}-late",
            "name": "invoice-sync",
            "status": "ACTIVE",
            "started_at": T0 - timedelta(hours=2),
            "deadline": T0 - timedelta(hours=1),
            "deadline_notified_at": T0 - timedelta(minutes=59),
            "tags": [{"key": "country", "value": "DE"}, {"key": "country", "value": "AT"}],
            "context": {},
        },
        {  # open with no deadline at all
            "process_id": f"{label}-nodeadline",
            "name": "nightly-export",
            "status": "ACTIVE",
            "started_at": T0 - timedelta(minutes=10),
            "tags": None,
            "context": None,
        },
    ]


def outbox_rows(label: str, process_pk: int) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"{label}-evt-1",
            "endpoint": "default",
            "event": "process.deadline_missed",
            "process_pk": process_pk,
            "process_name": "invoice-sync",
            "process_id": f"{label}-late",
            "payload": '{"event":"process.deadline_missed"}',
            "status": "PENDING",
            "attempts": 2,
            "created_at": T0,
            "enqueued_at": T0,
            "next_attempt_at": T0 + timedelta(seconds=30),
            "last_attempt_at": T0 + timedelta(seconds=1),
            "last_status_code": 503,
            "last_error": "receiver answered 503",
        },
        {
            "event_id": f"{label}-evt-2",
            "endpoint": "default",
            "event": "process.deadline_warning",
            "process_pk": process_pk,
            "process_name": "invoice-sync",
            "process_id": f"{label}-late",
            "payload": '{"event":"process.deadline_warning"}',
            "status": "DELIVERED",
            "attempts": 1,
            "created_at": T0,
            "enqueued_at": T0,
            "next_attempt_at": T0,
            "last_attempt_at": T0 + timedelta(seconds=1),
            "delivered_at": T0 + timedelta(seconds=1),
            "last_status_code": 200,
        },
    ]


async def seed(db: AsyncEngine, label: str) -> list[dict[str, Any]]:
    """Write :func:`runs` (with their tag rows and outbox events where those tables exist) in
    the schema the database has now; returns the runs as written."""
    async with db.begin() as conn:
        return await conn.run_sync(lambda sync: _seed(sync, label))


def _seed(conn: Connection, label: str) -> list[dict[str, Any]]:
    tables = _tables_as_they_are(conn)
    written = []
    for run in runs(label):
        row = {
            **run,
            "tags": run["tags"] or None,
            "context": run["context"] or None,
            "created_at": run["started_at"],
            "updated_at": run.get("completed_at") or run["started_at"],
        }
        pk = _insert(conn, tables["processes"], row, returning="id")
        written.append({**row, "pk": pk})
        if "process_tags" in tables:
            for position, tag in enumerate(run["tags"] or []):
                _insert(
                    conn,
                    tables["process_tags"],
                    {
                        "process_pk": pk,
                        "position": position,
                        **tag,
                        "started_at": run["started_at"],
                    },
                )
    if "webhook_outbox" in tables:
        late = next(run for run in written if run["process_id"] == f"{label}-late")
        for event in outbox_rows(label, late["pk"]):
            _insert(conn, tables["webhook_outbox"], event)
    return written


def _tables_as_they_are(conn: Connection) -> dict[str, Table]:
    """The tables in the database now, with today's column types where a column still exists
    (reflected types otherwise)."""
    inspector, reflected, tables = inspect(conn), MetaData(), {}
    for name in inspector.get_table_names():
        if name in BOOKKEEPING:
            continue
        found = Table(name, reflected, autoload_with=conn)
        current = metadata.tables.get(name)
        columns = [
            Column(
                column.name,
                current.c[column.name].type
                if current is not None and column.name in current.c
                else column.type,
                primary_key=column.primary_key,
                nullable=column.nullable,
                server_default=column.server_default,
            )
            for column in found.columns
        ]
        tables[name] = Table(name, MetaData(), *columns)
    return tables


def _insert(conn: Connection, table: Table, row: dict[str, Any], returning: str = "") -> Any:
    values = {key: value for key, value in row.items() if key in table.c}
    for column in table.columns:  # required columns added by migrations this file predates
        if (
            column.name not in values
            and not column.nullable
            and column.server_default is None
            and not (column.primary_key and column.autoincrement in (True, "auto"))
        ):
            values[column.name] = _placeholder(column)
    statement = table.insert().values(values)
    if returning:
        return conn.execute(statement.returning(table.c[returning])).scalar_one()
    conn.execute(statement)
    return None


def _placeholder(column: Column[Any]) -> Any:
    """A plain value of the column's type (0, "", False, T0, {}); give the column a real value
    in :func:`runs` when its constraints need one."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if kind is datetime:
        return T0
    if kind in (dict, list):
        return {}
    return kind()


Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


async def snapshot(db: AsyncEngine) -> Snapshot:
    """Every row of every table, keyed by table and primary key, exactly as the database
    returns it."""
    async with db.connect() as conn:
        return await conn.run_sync(_snapshot)


def _snapshot(conn: Connection) -> Snapshot:
    inspector, reflected, result = inspect(conn), MetaData(), {}
    for name in inspector.get_table_names():
        if name in BOOKKEEPING:
            continue
        table = Table(name, reflected, autoload_with=conn)
        key = [column.name for column in table.primary_key.columns] or list(table.c.keys())
        rows = conn.execute(select(table)).mappings().all()
        result[name] = {tuple(row[column] for column in key): dict(row) for row in rows}
    return result


def lost_or_changed(before: Snapshot, after: Snapshot) -> list[str]:
    """What ``before`` held that ``after`` no longer holds, in the tables and columns both
    have (a column or table that a step removes or adds is the schema's business, not the
    data's). Empty when every row and field survived unchanged."""
    problems = []
    for table, rows in before.items():
        if table not in after:
            continue
        for key, row in rows.items():
            kept = after[table].get(key)
            if kept is None:
                problems.append(f"{table} {key}: row lost")
                continue
            for column, value in row.items():
                if column in kept and kept[column] != value:
                    problems.append(f"{table} {key}.{column}: {value!r} became {kept[column]!r}")
    return problems


def schema(conn: Connection) -> dict[str, Any]:
    """Tables, their columns (name, type, nullability) and indexes, for comparing a schema
    reached by downgrading with the same revision reached by upgrading."""
    inspector = inspect(conn)
    return {
        name: {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(name)
            ],
            "indexes": sorted(
                (index["name"] or "", tuple(index["column_names"]), bool(index["unique"]))
                for index in inspector.get_indexes(name)
            ),
        }
        for name in sorted(inspector.get_table_names())
        if name not in BOOKKEEPING
    }


async def schema_of(db: AsyncEngine) -> dict[str, Any]:
    async with db.connect() as conn:
        return await conn.run_sync(schema)
