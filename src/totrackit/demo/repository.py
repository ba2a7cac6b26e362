"""Every SQL statement of the seeder: counting, clearing and bulk-loading runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from totrackit.db import dialect
from totrackit.db.tables import process_tags, processes, webhook_outbox

#: What a seed replaces with --force: the runs and what derives from them.
RUN_TABLES = (processes.name, process_tags.name, webhook_outbox.name)
LOADED_TABLES = (processes.name, process_tags.name)


async def count_runs(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(processes))).scalar_one())


async def clear_runs(conn: AsyncConnection) -> None:
    await dialect.empty_tables(conn, RUN_TABLES)


async def load(
    conn: AsyncConnection,
    *,
    run_columns: Sequence[str],
    runs: list[tuple[Any, ...]],
    tag_columns: Sequence[str],
    tags: list[tuple[Any, ...]],
) -> None:
    """Insert a batch of runs and their tag rows, given as database-native values."""
    await dialect.bulk_insert(conn, processes.name, list(run_columns), runs)
    await dialect.bulk_insert(conn, process_tags.name, list(tag_columns), tags)


async def drop_secondary_indexes(conn: AsyncConnection) -> list[str]:
    """Drop the indexes a bulk load would update row by row; the statements that rebuild them."""
    return await dialect.drop_secondary_indexes(conn, LOADED_TABLES)


async def finish(db: AsyncEngine, rebuild: list[str]) -> None:
    """Rebuild the dropped indexes, move the id sequence past the loaded ids, refresh statistics."""
    await dialect.build_indexes(db, rebuild)
    async with db.begin() as conn:
        await dialect.reset_id_sequence(conn, processes.name)
        await dialect.analyze(conn, LOADED_TABLES)
