"""B8: the deadline scanner over 1M open runs, of which 10k are newly due.

    python -m bench.scan                              # throwaway PostgreSQL from pgserver
    python -m bench.scan --database-url postgresql://... --open 1000000 --due 10000

Loads ``--open`` ACTIVE runs whose warning and deadline are ahead, plus ``--due`` runs whose
deadline just passed and ``--due`` runs that just crossed the warning threshold, then times
full scans (every batch of 500 drained, outbox rows written for one receiver) and idle scans.
PERFORMANCE.md B8 targets: batch <= 50 ms, idle cycle <= 1 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.db.tables import processes
from totrackit.deadlines.models import EventType
from totrackit.deadlines.receivers import Endpoint
from totrackit.deadlines.scanner import Scanner
from totrackit.processes.rules import warning_point
from totrackit.settings import Settings

BATCH = 500
COPY_CHUNK = 100_000


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def make_rows(first: int, count: int, now: datetime, kind: str) -> list[tuple[object, ...]]:
    rows = []
    for pk in range(first, first + count):
        if kind == "missed":  # budget 1h, deadline passed a few seconds ago
            started, deadline = now - timedelta(seconds=3600 + pk % 60), now - timedelta(seconds=1)
        elif kind == "warning":  # budget 1h, 80% used
            started = now - timedelta(seconds=2880)
            deadline = started + timedelta(seconds=3600)
        else:  # open: 10% of a budget of 1 h to 30 days used
            budget = timedelta(seconds=3600 + (pk * 7919) % (30 * 86_400))
            started, deadline = now - budget * 0.1, now + budget * 0.9
        warning = warning_point(started_at=started, deadline=deadline, threshold=0.75)
        row = (pk, f"run-{pk}", f"process-{pk % 20:02d}", "ACTIVE", started, None, deadline)
        rows.append((*row, None, None, None, None, None, started, started, warning))
    return rows


async def load(url: str, *, open_runs: int, due: int, now: datetime) -> None:
    conn = await asyncpg.connect(url)
    try:
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'processes' "
            "AND indexname NOT LIKE 'pk_%'"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        await conn.execute("TRUNCATE processes, process_tags, webhook_outbox RESTART IDENTITY")
        columns = [column.name for column in processes.columns]
        plan = [("open", open_runs), ("missed", due), ("warning", due)]
        pk = 1
        for kind, total in plan:
            for offset in range(0, total, COPY_CHUNK):
                count = min(COPY_CHUNK, total - offset)
                records = make_rows(pk, count, now, kind)
                await conn.copy_records_to_table("processes", records=records, columns=columns)
                pk += count
        await conn.execute(f"SELECT setval('processes_id_seq', {pk})")
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("VACUUM ANALYZE processes")
    finally:
        await conn.close()


async def reset(url: str) -> None:
    """Make the due runs due again, so every measured scan does the same work."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE processes SET deadline_notified_at = NULL, deadline_warned_at = NULL "
            "WHERE deadline_notified_at IS NOT NULL OR deadline_warned_at IS NOT NULL"
        )
        await conn.execute("TRUNCATE webhook_outbox")
        await conn.execute("VACUUM ANALYZE processes")
    finally:
        await conn.close()


async def measure(url: str, *, open_runs: int, due: int, rounds: int) -> None:
    conn = await asyncpg.connect(url)  # a fresh schema: an interrupted load drops indexes
    await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    await conn.close()
    settings = Settings(database_url=url)
    db = make_db(settings.database)
    await migrate.upgrade(db)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    await load(url, open_runs=open_runs, due=due, now=now)
    print(
        f"loaded {open_runs:,} open + {2 * due:,} due runs in {time.perf_counter() - started:.1f}s"
    )
    receiver = Endpoint(name="default", url="http://127.0.0.1:9/", key=None)

    def scanner(threshold: float) -> Scanner:
        return Scanner(
            db=db,
            clock=FixedClock(now),
            endpoints=[receiver],
            threshold=threshold,
            batch_size=BATCH,
            public_url="",
        )

    full, idle, idle_missed_only = [], [], []
    for _ in range(rounds):
        await reset(url)
        t0 = time.perf_counter()
        result = await scanner(0.75).scan()
        full.append(time.perf_counter() - t0)
        assert result.marked == {EventType.DEADLINE_WARNING: due, EventType.DEADLINE_MISSED: due}
        for _ in range(20):
            t0 = time.perf_counter()
            await scanner(0.75).scan()
            idle.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await scanner(0.0).scan()
            idle_missed_only.append(time.perf_counter() - t0)
    batches = 2 * ((due + BATCH - 1) // BATCH + (due % BATCH == 0))
    ms = 1000
    print(
        f"full scan ({2 * due:,} events, {batches} transactions of <= {BATCH}): "
        f"median {statistics.median(full) * ms:.0f} ms, "
        f"{statistics.median(full) * ms / batches:.1f} ms per batch"
    )
    print(
        f"idle scan, warnings and misses: median {statistics.median(idle) * ms:.2f} ms, "
        f"max {max(idle) * ms:.2f} ms"
    )
    print(
        f"idle scan, misses only (warnings off): median "
        f"{statistics.median(idle_missed_only) * ms:.2f} ms, max {max(idle_missed_only) * ms:.2f} ms"
    )
    await db.dispose()


def postgres_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    import pgserver

    data = Path(args.pg_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    return str(pgserver.get_server(data, cleanup_mode=None).get_uri())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--pg-dir", default="/tmp/totrackit-bench-scan-pg")
    parser.add_argument("--open", type=int, default=1_000_000, dest="open_runs")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(
        measure(postgres_url(args), open_runs=args.open_runs, due=args.due, rounds=args.rounds)
    )


if __name__ == "__main__":
    main()
