"""Retention: deleting finished runs older than ``TOTRACKIT_RUN_RETENTION``, optionally archived.

Runs one round per upkeep interval, in batches of ``BATCH`` runs, each its own short
transaction, so writers wait for one batch at most and never for the whole backlog. With an
archive directory, each batch is written (and flushed to disk) as JSON Lines in the export
format before the transaction that deletes it commits: a crash between the two leaves the runs
in the database and in the archive, and the next round archives them again; importing
archives skips runs already present, so a duplicate line costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.clock import Clock
from totrackit.deadlines import metrics
from totrackit.deadlines import repository as repo
from totrackit.processes.models import ProcessRun
from totrackit.transfer import wire

logger = logging.getLogger(__name__)

#: Runs per transaction: a few milliseconds of writes held up, at most.
BATCH = 1000
#: Batches per round; a larger backlog continues in the next round.
BATCHES_PER_ROUND = 50


class Retention:
    def __init__(
        self, *, db: AsyncEngine, clock: Clock, keep: timedelta, archive_dir: Path | None
    ) -> None:
        self._db = db
        self._clock = clock
        self._keep = keep
        self._archive_dir = archive_dir

    @property
    def enabled(self) -> bool:
        return self._keep > timedelta(0)

    async def run(self) -> int:
        """One round: delete (and archive) up to ``BATCH * BATCHES_PER_ROUND`` runs."""
        if not self.enabled:
            return 0
        now = self._clock.now()
        cutoff = now - self._keep
        archive: IO[bytes] | None = None
        removed = 0
        try:
            for _ in range(BATCHES_PER_ROUND):
                async with self._db.begin() as conn:
                    runs = await repo.finished_before(conn, cutoff=cutoff, limit=BATCH)
                    if not runs:
                        break
                    if self._archive_dir is not None:
                        if archive is None:
                            archive = await asyncio.to_thread(self._open_archive, now)
                        await asyncio.to_thread(_write_durably, archive, runs, now)
                        metrics.RETENTION_ARCHIVED.inc(len(runs))
                    deleted = await repo.delete_runs(conn, [run.pk for run in runs])
                removed += deleted
                metrics.RETENTION_DELETED.inc(deleted)
                if len(runs) < BATCH:
                    break
                await asyncio.sleep(0)  # let waiting requests write between batches
        finally:
            if archive is not None:
                await asyncio.to_thread(archive.close)
        metrics.RETENTION_LAST_ROUND.set(self._clock.now().timestamp())
        if removed:
            where = f", archived in {archive.name}" if archive is not None else ""
            logger.info(
                "Retention deleted %d finished runs completed before %s%s",
                removed,
                cutoff.isoformat(),
                where,
            )
        return removed

    def _open_archive(self, now: datetime) -> IO[bytes]:
        assert self._archive_dir is not None
        self._archive_dir.mkdir(parents=True, exist_ok=True)
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        # A random part and "x": never append to (or replace) what another engine wrote.
        name = f"totrackit-runs-{stamp}-{secrets.token_hex(4)}.jsonl"
        return (self._archive_dir / name).open("xb")


def _write_durably(out: IO[bytes], runs: list[ProcessRun], now: datetime) -> None:
    out.write(b"".join(wire.encode(run, now) for run in runs))
    out.flush()
    os.fsync(out.fileno())
