"""Filling a database with generated runs: fast bulk loads, refusing to mix with real data.

PostgreSQL loads with COPY and builds the secondary indexes once at the end (10M runs take
minutes); SQLite uses prepared INSERTs. The schema is migrated first, like ``serve`` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db import dialect, migrate
from totrackit.demo import repository
from totrackit.demo.generator import (
    RUN_COLUMNS,
    RUN_KINDS,
    TAG_COLUMNS,
    TAG_KINDS,
    Generator,
    Shape,
    batches,
)

BATCH = 50_000


class AlreadyHoldsRuns(Exception):
    """The database holds runs; seeding would replace them (``force``)."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


@dataclass(frozen=True)
class Seeded:
    runs: int
    #: Rows written: the runs and their tag rows.
    rows: int
    #: Runs the database held before (deleted, with ``force``).
    replaced: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        """Over the whole seed, index builds included."""
        return self.rows / max(self.seconds, 1e-9)


async def seed(
    db: AsyncEngine,
    *,
    runs: int,
    shape: Shape,
    now: datetime,
    force: bool = False,
    seed_value: int = 42,
    progress: Callable[[int], None] = lambda _count: None,
    indexing: Callable[[int], None] = lambda _count: None,
) -> Seeded:
    """Replace the runs of ``db`` with ``runs`` generated ones; ``progress(n)`` after each batch
    of ``n`` runs, ``indexing(n)`` before ``n`` indexes are rebuilt at the end.

    Raises ``AlreadyHoldsRuns`` when the database holds runs and ``force`` is not given.
    """
    started = time.perf_counter()
    await migrate.upgrade(db)
    async with db.begin() as conn:
        present = await repository.count_runs(conn)
        if present and not force:
            raise AlreadyHoldsRuns(present)
        await dialect.allow_long_statements(conn)
        await repository.clear_runs(conn)
        rebuild = await repository.drop_secondary_indexes(conn)
    rows = 0
    try:
        generator = Generator(shape, now=now, seed=seed_value)
        for first, count in batches(runs, BATCH):
            run_rows, tag_rows = generator.batch(first, count)
            async with db.begin() as conn:
                await dialect.allow_long_statements(conn)
                native_run = dialect.native_values(conn, RUN_KINDS)
                native_tag = dialect.native_values(conn, TAG_KINDS)
                await repository.load(
                    conn,
                    run_columns=RUN_COLUMNS,
                    runs=[native_run(row) for row in run_rows],
                    tag_columns=TAG_COLUMNS,
                    tags=[native_tag(row) for row in tag_rows],
                )
            rows += len(run_rows) + len(tag_rows)
            progress(count)
    finally:
        # Also after a failure or Ctrl-C: a database must never be left without its indexes.
        indexing(len(rebuild))
        await repository.finish(db, rebuild)
    seconds = time.perf_counter() - started
    return Seeded(runs=runs, rows=rows, replaced=present, seconds=seconds)
