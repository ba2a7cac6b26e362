"""Taking a backup while the service keeps writing, and restoring it into either database.

Backup: one read transaction sees one consistent state of every table (``begin_snapshot``),
so the file holds exactly the writes committed before it began and no half of any later one.
The tables are the database's own (reflected), so a table added by a later migration is in the
backup without any change here. Restore: checksums first, then the schema at the backup's
revision, the rows in one transaction (COPY on PostgreSQL), ids moved past the restored ones,
and the schema brought to head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from totrackit import __version__
from totrackit.db import dialect, migrate
from totrackit.db.tables import metadata
from totrackit.db.types import JSONDocument, Timestamp
from totrackit.transfer import repository
from totrackit.transfer.archive import BadBackup, Manifest, Reader, TableEntry, Writer
from totrackit.transfer.progress import Progress

#: Rows sent to the database per bulk insert during a restore.
LOAD_BATCH = 10_000


class NotEmpty(RuntimeError):
    """Restoring would mix the backup with data already there."""


async def take_backup(db: AsyncEngine, path: Path, *, progress: Progress) -> Manifest:
    async with db.connect() as conn:
        await dialect.begin_snapshot(conn)
        revision = await conn.run_sync(repository.schema_revision)  # the snapshot starts here
        manifest = Manifest(
            schema_revision=revision,
            source_backend=conn.dialect.name,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            totrackit_version=__version__,
        )
        tables = await conn.run_sync(repository.table_columns)
        progress.total = await _estimated_rows(conn, tables)
        writer = Writer(path, manifest)
        try:
            for name in _parents_first(tables):
                await _copy_table(conn, writer, name, tables[name], progress)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        await conn.rollback()
    progress.finish()
    return manifest


async def _copy_table(
    conn: AsyncConnection, writer: Writer, name: str, reflected: list[Any], progress: Progress
) -> None:
    columns = [(col["name"], _kind(name, col)) for col in reflected]
    entry = TableEntry(name=name, columns=[{"name": c, "kind": k} for c, k in columns])
    typed = [(c, JSONDocument if k == "json" else None) for c, k in columns]
    order = await conn.run_sync(lambda sync: repository.primary_keys(sync, name))
    portable = dialect.portable_values(conn, entry.kinds)
    sink = writer.table(entry)
    async for row in repository.stream_table(conn, name, typed, order or [c for c, _ in columns]):
        sink.write(portable(row))
        progress.advance()
    sink.close()


def _kind(table: str, reflected: dict[str, Any]) -> str:
    """How a column's values travel: the code's declaration decides, the database's own type
    where the code does not know the column (a backup taken before a migration)."""
    declared = metadata.tables.get(table)
    if declared is not None and reflected["name"] in declared.c:
        type_ = declared.c[reflected["name"]].type
        if isinstance(type_, Timestamp):
            return "timestamp"
        if isinstance(type_, JSON) or type_ is JSONDocument:
            return "json"
        return "plain"
    if isinstance(reflected["type"], DateTime):
        return "timestamp"
    return "json" if isinstance(reflected["type"], JSON) else "plain"


def _parents_first(tables: dict[str, Any]) -> list[str]:
    known = [t.name for t in metadata.sorted_tables if t.name in tables]
    return known + sorted(set(tables) - set(known))


async def _estimated_rows(conn: AsyncConnection, tables: dict[str, Any]) -> int:
    return sum((await repository.is_empty(conn, tables)).values())


@dataclass
class RestoreReport:
    manifest: Manifest
    rows: int


async def restore_backup(
    db: AsyncEngine, path: Path, *, force: bool, verify: Progress, load: Progress
) -> RestoreReport:
    reader = Reader(path)
    try:
        manifest = reader.manifest
        _check_revision(manifest.schema_revision)
        verify.total = manifest.total_rows
        reader.verify(verify.advance)
        verify.finish()
        await _prepare_target(db, force=force)
        if manifest.schema_revision:
            await migrate.upgrade(db, manifest.schema_revision)
        load.total = manifest.total_rows
        async with db.begin() as conn:
            await dialect.allow_long_statements(conn)
            for entry in manifest.tables:
                await _load_table(conn, reader, entry, load)
            await repository.reset_ids(
                conn, [e.name for e in manifest.tables if "id" in e.column_names]
            )
        load.finish()
        await migrate.upgrade(db, "head")
    finally:
        reader.close()
    return RestoreReport(manifest=manifest, rows=load.count)


def _check_revision(revision: str | None) -> None:
    if revision is not None and not migrate.knows_revision(revision):
        raise BadBackup(
            f"the backup is at schema revision {revision}, which this version does not know: "
            "restore it with the ToTrackIt version that made it (or a newer one)"
        )


async def _prepare_target(db: AsyncEngine, *, force: bool) -> None:
    async with db.connect() as conn:
        tables = await conn.run_sync(repository.table_columns)
        holding = await repository.is_empty(conn, tables)
    if holding and not force:
        counts = ", ".join(f"{name}: {rows}" for name, rows in sorted(holding.items()))
        raise NotEmpty(
            f"the target database is not empty ({counts}); restore into an empty database, "
            "or pass --force to delete its data first"
        )
    if tables:
        await migrate.downgrade(db, "base")  # --force, or empty tables: start from nothing


async def _load_table(
    conn: AsyncConnection, reader: Reader, entry: TableEntry, progress: Progress
) -> None:
    native = dialect.native_values(conn, entry.kinds)
    batch: list[tuple[Any, ...]] = []
    for values in reader.rows(entry):
        batch.append(native(values))
        if len(batch) >= LOAD_BATCH:
            await repository.load_rows(conn, entry.name, entry.column_names, batch)
            progress.advance(len(batch))
            batch = []
    await repository.load_rows(conn, entry.name, entry.column_names, batch)
    progress.advance(len(batch))


async def backup_before_upgrade(
    db: AsyncEngine, directory: Path, *, revision: str = "head"
) -> Path | None:
    """A backup of a database that holds data and is not yet at ``revision`` into ``directory``
    (which must exist); None when there is nothing to lose."""
    current = await migrate.current_revision(db)
    wanted = migrate.head_revision() if revision == "head" else revision
    if current is None or current == wanted:
        return None
    async with db.connect() as conn:
        holding = await repository.is_empty(conn, await conn.run_sync(repository.table_columns))
    if not holding:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"totrackit-before-{wanted}-{stamp}.zip"
    await take_backup(db, path, progress=Progress("Backed up", unit="rows", enabled=False))
    return path
