"""Seeded bulk generator: millions of runs into PostgreSQL with COPY, not row-by-row INSERTs.

Shape (PERFORMANCE.md, "common rules"): 20 process names, 3 tags per run from skewed value sets
(country 10 values, channel 3, provider 5), 10% ACTIVE, deadlines on most runs with about 5% of
all runs overdue. Country ``C3`` never co-occurs with provider ``p4``, so that pair is a two-tag
filter with no match.

    python -m bench.seed --database-url postgresql://... --runs 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from totrackit.db.tables import process_tags, processes
from totrackit.processes.rules import warning_point

NAMES = [f"process-{index:02d}" for index in range(20)]
COUNTRIES = [f"C{index}" for index in range(10)]
CHANNELS = ["web", "app", "api"]
PROVIDERS = [f"p{index}" for index in range(5)]
BATCH = 50_000


def _cumulative(count: int) -> list[float]:
    weights = [1 / (i + 1) for i in range(count)]  # earlier values are more frequent
    return list(itertools.accumulate(weights))


_CUMULATIVE = {count: _cumulative(count) for count in (3, 4, 5, 10)}


def skewed(rng: random.Random, values: list[str]) -> str:
    return rng.choices(values, cum_weights=_CUMULATIVE[len(values)])[0]


def make_run(
    rng: random.Random, pk: int, now: datetime
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    started = now - timedelta(seconds=rng.randint(60, 30 * 86_400))
    budget = timedelta(seconds=rng.randint(600, 86_400))
    roll = rng.random()
    deadline: datetime | None = started + budget
    completed: datetime | None = None
    if roll < 0.05:  # overdue: ACTIVE with a passed deadline
        status, started = "ACTIVE", now - budget - timedelta(seconds=rng.randint(1, 7200))
        deadline = started + budget
    elif roll < 0.10:  # ACTIVE and on track
        status, started = "ACTIVE", now - budget * rng.random() * 0.9
        deadline = started + budget
    else:
        status = "FAILED" if rng.random() < 0.05 else "COMPLETED"
        completed = started + budget * rng.uniform(0.1, 1.3)
        if rng.random() < 0.1:
            deadline = None
    country = skewed(rng, COUNTRIES)
    provider = skewed(rng, PROVIDERS[:4] if country == "C3" else PROVIDERS)
    tags = [("country", country), ("channel", skewed(rng, CHANNELS)), ("provider", provider)]
    tags_json = orjson.dumps([{"key": k, "value": v} for k, v in tags]).decode()
    row = (
        pk,
        f"run-{pk}",
        rng.choice(NAMES),
        status,
        started,
        completed,
        deadline,
        tags_json,
        '{"source": "bench"}',
        None,
        None,
        None,
        started,
        completed or started,
        warning_point(started_at=started, deadline=deadline, threshold=0.75)
        if status == "ACTIVE"
        else None,
    )
    tag_rows = [(pk, position, k, v, started) for position, (k, v) in enumerate(tags)]
    return row, tag_rows


async def seed(database_url: str, runs: int, seed_value: int = 42) -> float:
    """Replace the bench data with ``runs`` generated runs; returns rows per second."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        # Loading without secondary indexes and building them afterwards is several times faster.
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('processes', 'process_tags') AND indexname NOT LIKE 'pk_%'"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX IF EXISTS "{index["indexname"]}"')
        await conn.execute("TRUNCATE processes, process_tags RESTART IDENTITY")
        rng, now = random.Random(seed_value), datetime.now(UTC)
        columns = [column.name for column in processes.columns]
        tag_columns = [column.name for column in process_tags.columns]
        for first in range(1, runs + 1, BATCH):
            batch = [make_run(rng, pk, now) for pk in range(first, min(first + BATCH, runs + 1))]
            await conn.copy_records_to_table(
                "processes", records=[r for r, _ in batch], columns=columns
            )
            await conn.copy_records_to_table(
                "process_tags", records=[t for _, tags in batch for t in tags], columns=tag_columns
            )
            print(f"  seeded {min(first + BATCH - 1, runs):>9,} / {runs:,} runs", flush=True)
        await conn.execute(f"SELECT setval('processes_id_seq', {runs})")
        print(f"  building {len(indexes)} indexes on two connections", flush=True)
        statements = [index["indexdef"] for index in indexes]
        await asyncio.gather(*(_run_all(database_url, statements[half::2]) for half in (0, 1)))
        await conn.execute("ANALYZE processes; ANALYZE process_tags")
        return runs / (time.perf_counter() - started)
    finally:
        await conn.close()


async def _run_all(database_url: str, statements: list[str]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    started = time.perf_counter()
    rate = asyncio.run(seed(args.database_url, args.runs, args.seed))
    print(f"seeded {args.runs:,} runs in {time.perf_counter() - started:.1f}s ({rate:,.0f} runs/s)")


if __name__ == "__main__":
    main()
