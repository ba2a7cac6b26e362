"""The one place that knows how PostgreSQL and SQLite differ.

Repositories ask this module for the few SQL pieces that cannot be written portably; nothing
else in the code base branches on the database backend.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Executable,
    Float,
    Select,
    Text,
    cast,
    exists,
    func,
    literal,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement

from totrackit.db.tables import process_tags, processes
from totrackit.db.types import from_micros, to_micros

TAG_PAIR_SEPARATOR = "\x1f"


def is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


def seconds_between(conn: AsyncConnection, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in (fractional) seconds, for two Timestamp columns."""
    if is_sqlite(conn):
        return cast(end - start, Float) / 1_000_000.0
    return func.extract("epoch", end - start)


#: A text[] parameter on PostgreSQL (unused on SQLite, which has no arrays).
TextArray = postgresql.ARRAY(Text)


def single_statement_options(db: AsyncEngine) -> dict[str, str] | None:
    """Execution options under which every statement commits by itself, with no BEGIN/COMMIT
    round trips (PostgreSQL); None on SQLite, whose run and tag rows are two statements."""
    return None if db.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}


def writes_tags_with_run(conn: AsyncConnection) -> bool:
    """Whether one statement can insert a run and its tag rows (a data-modifying CTE).

    PostgreSQL can, which saves a round trip per create; SQLite has no data-modifying CTEs, and
    no round trips to save: it inserts the tag rows with a second statement.
    """
    return not is_sqlite(conn)


def has_tags(
    conn: AsyncConnection, tags: dict[str, str], *, walking: bool = False
) -> list[ColumnElement[bool]]:
    """Conditions that a run carries every ``key: value`` pair.

    SQLite: one EXISTS per pair on the ``process_tags`` index. PostgreSQL: by default one
    containment over the GIN-indexed tag pairs (migration 0002), answered by intersecting
    posting lists. ``walking`` is for a page read in index order when the tags are known to be
    common: there a plain JSONB containment, cheap to test row by row, lets the planner walk the
    sort index and stop after one page instead of collecting every match first.
    """
    if not tags:
        return []
    if is_sqlite(conn):
        t = process_tags
        return [
            exists().where(t.c.process_pk == processes.c.id, t.c.key == key, t.c.value == value)
            for key, value in tags.items()
        ]
    if walking:
        wanted = [{"key": key, "value": value} for key, value in tags.items()]
        # type_coerce: the column is declared portable JSON, whose "contains" would be a LIKE.
        return [type_coerce(processes.c.tags, postgresql.JSONB).contains(wanted)]
    pairs = [f"{key}{TAG_PAIR_SEPARATOR}{value}" for key, value in tags.items()]
    pair_array = literal(pairs, postgresql.ARRAY(Text))
    tag_pairs = func.totrackit_tag_pairs(processes.c.tags, type_=postgresql.ARRAY(Text))
    return [tag_pairs.contains(pair_array)]


# pg_advisory_xact_lock key for schema migrations: ASCII "TTMIGRAT".
MIGRATION_LOCK_KEY = 0x54544D4947524154


@asynccontextmanager
async def migrating(db: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The transaction migrations run in.

    On SQLite, batch mode changes a table by copying it, dropping the original and renaming the
    copy; with foreign keys on, dropping ``processes`` would cascade and delete every tag row.
    So they are off while migrating (SQLite ignores the pragma inside a transaction, hence
    before it begins), every reference is checked before the commit, and they are back on
    before the connection returns to the pool.
    """
    async with db.connect() as conn:
        if is_sqlite(conn):
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
        try:
            async with conn.begin():
                await prepare_for_migrations(conn)
                yield conn
                if is_sqlite(conn):
                    await _refuse_broken_references(conn)
        finally:
            if is_sqlite(conn):
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()


async def _refuse_broken_references(conn: AsyncConnection) -> None:
    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(
            f"the migration left {len(broken)} row(s) in {', '.join(tables)} pointing at rows "
            "that no longer exist; nothing was changed"
        )


async def prepare_for_migrations(conn: AsyncConnection) -> None:
    """Serialise migrators and lift limits meant for requests.

    When several replicas start at once against one PostgreSQL, the first takes the lock and
    migrates; the others wait on it, then find nothing left to do. The lock is released with
    the transaction. Building an index on millions of rows takes minutes, so the statement
    timeout is lifted; the lock wait is bounded so a stuck migrator is reported, not waited on
    forever.
    """
    if is_sqlite(conn):
        return  # SQLite allows one writer at a time anyway
    await conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
    await conn.exec_driver_sql("SET LOCAL lock_timeout = '600s'")
    await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")


def has_percentile_cont(conn: AsyncConnection) -> bool:
    """Whether the database has the ordered-set aggregate ``percentile_cont``."""
    return not is_sqlite(conn)


def tag_probe_supported(conn: AsyncConnection) -> bool:
    """Whether counting a tag filter's matches first is cheap (a GIN bitmap on PostgreSQL)."""
    return not is_sqlite(conn)


async def begin_snapshot(conn: AsyncConnection) -> None:
    """Start a read-only transaction that sees one consistent state of every table.

    PostgreSQL: REPEATABLE READ, so every statement sees the snapshot of the first one.
    SQLite (WAL mode): an explicit BEGIN, because the driver starts transactions only before
    writes; the read transaction then keeps the snapshot its first read took while writers go on.
    """
    if is_sqlite(conn):
        await conn.exec_driver_sql("BEGIN")
        return
    await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    await conn.begin()
    await allow_long_statements(conn)


async def allow_long_statements(conn: AsyncConnection) -> None:
    """Lift the request statement timeout for this transaction (bulk reads and writes)."""
    if not is_sqlite(conn):
        await conn.exec_driver_sql("SET LOCAL statement_timeout = 0")


async def bulk_insert(
    conn: AsyncConnection, table: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows given as database-native values (``native_values`` made them).

    PostgreSQL: COPY through asyncpg (an order of magnitude faster than INSERT); SQLite: one
    prepared INSERT run for every row.
    """
    if not rows:
        return
    if is_sqlite(conn):
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        await conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        return
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table, records=rows, columns=columns
    )


async def allocate_ids(conn: AsyncConnection, table: str, count: int) -> list[int]:
    """``count`` new ids for rows the caller inserts with explicit ids (bulk loads).

    PostgreSQL draws them from the table's sequence. SQLite takes the write lock first (a write
    that changes nothing), so no other writer can take the same ids before this transaction ends.
    """
    if count == 0:
        return []
    if is_sqlite(conn):
        await conn.exec_driver_sql(f'UPDATE "{table}" SET id = id WHERE 0')
        top = (await conn.exec_driver_sql(f'SELECT COALESCE(max(id), 0) FROM "{table}"')).scalar()
        return list(range(int(top or 0) + 1, int(top or 0) + 1 + count))
    result = await conn.exec_driver_sql(
        f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'id')) "
        f"FROM generate_series(1, {int(count)})"
    )
    return [int(value) for value in result.scalars()]


def native_values(conn: AsyncConnection, kinds: list[str]) -> Any:
    """A function turning a row of portable values (instants as integer microseconds, JSON
    documents) into what the driver stores: aware datetimes on PostgreSQL, JSON as text."""
    sqlite_side = is_sqlite(conn)

    def convert(kind: str, value: Any) -> Any:
        if value is None:
            return None
        if kind == "json":
            return orjson.dumps(value).decode()
        if kind == "timestamp":
            return from_micros(value)
        return value

    if sqlite_side:  # instants are stored as the portable microseconds already
        kinds = ["plain" if kind == "timestamp" else kind for kind in kinds]
    plain = all(kind == "plain" for kind in kinds)

    def row(values: list[Any]) -> tuple[Any, ...]:
        if plain:
            return tuple(values)
        return tuple(convert(kind, value) for kind, value in zip(kinds, values, strict=True))

    return row


def portable_values(conn: AsyncConnection, kinds: list[str]) -> Any:
    """The inverse of ``native_values`` for rows read untyped: PostgreSQL returns instants as
    datetimes (made microseconds here); SQLite already stores microseconds."""
    moments = [i for i, kind in enumerate(kinds) if kind == "timestamp"]
    if is_sqlite(conn) or not moments:
        return lambda values: values

    def row(values: tuple[Any, ...]) -> list[Any]:
        out = list(values)
        for i in moments:
            if out[i] is not None:
                out[i] = to_micros(out[i])
        return out

    return row


async def reset_id_sequence(conn: AsyncConnection, table: str) -> None:
    """Move a table's id sequence past the ids a restore inserted (SQLite takes max + 1)."""
    if is_sqlite(conn):
        return
    sequence = (
        await conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('\"{table}\"', 'id')")
    ).scalar()
    if sequence is None:
        return
    await conn.exec_driver_sql(
        f"SELECT setval('{sequence}', COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)"
    )


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <select>``, compiled with the select's own bound parameters."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.statement, **kw))


async def estimated_rows(conn: AsyncConnection, statement: Select[Any]) -> int | None:
    """The planner's estimate of how many rows ``statement`` returns, without running it.

    PostgreSQL plans in well under a millisecond from its statistics, where counting millions
    of matches would read them all; SQLite has no such estimate (None).
    """
    if is_sqlite(conn):
        return None
    plan = (await conn.execute(_Explain(statement))).scalar_one()
    document = plan if isinstance(plan, list) else json.loads(plan)
    return int(document[0]["Plan"]["Plan Rows"])


# --- bulk loads (totrackit seed) -------------------------------------------------------------


async def empty_tables(conn: AsyncConnection, tables: Sequence[str]) -> None:
    """Delete every row of these tables: TRUNCATE on PostgreSQL (instant at millions of rows)."""
    if is_sqlite(conn):
        for name in tables:
            await conn.exec_driver_sql(f'DELETE FROM "{name}"')
        return
    names = ", ".join(f'"{name}"' for name in tables)
    await conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")


async def drop_secondary_indexes(conn: AsyncConnection, tables: Sequence[str]) -> list[str]:
    """PostgreSQL: drop the tables' indexes but their primary keys, and return the statements
    that build them again: loading millions of rows first and indexing afterwards is several
    times faster. SQLite (small demo data): nothing is dropped."""
    if is_sqlite(conn):
        return []
    found = await conn.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(:tables) AND indexname NOT LIKE 'pk\\_%'"
        ),
        {"tables": list(tables)},
    )
    rebuild = []
    for name, definition in found.all():
        await conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
        rebuild.append(definition.replace("INDEX ", "INDEX IF NOT EXISTS ", 1))
    return rebuild


async def build_indexes(db: AsyncEngine, statements: Sequence[str], *, parallel: int = 2) -> None:
    """Run ``CREATE INDEX`` statements on ``parallel`` connections, without a statement timeout."""

    async def build(share: Sequence[str]) -> None:
        async with db.begin() as conn:
            await allow_long_statements(conn)
            await conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in share:
                await conn.exec_driver_sql(statement)

    shares = [statements[start::parallel] for start in range(parallel)]
    await asyncio.gather(*(build(share) for share in shares if share))


async def analyze(conn: AsyncConnection, tables: Sequence[str]) -> None:
    """Refresh the planner's statistics after a bulk load."""
    for name in tables:
        await conn.exec_driver_sql(f'ANALYZE "{name}"')
