"""Seeded bulk generator for the benchmarks: millions of runs into PostgreSQL.

The generation and the bulk load are the package's (``totrackit seed``, totrackit/demo/); this
keeps the benchmark shape (PERFORMANCE.md, "common rules"): 20 process names ``process-NN``,
3 tags per run from skewed value sets (country ``C0``-``C9``, channel 3, provider ``p0``-``p4``),
10% ACTIVE, deadlines on most runs with about 5% of all runs overdue, over 30 days. Country
``C3`` never co-occurs with provider ``p4``, so that pair is a two-tag filter with no match.

    python -m bench.seed --database-url postgresql://... --runs 1000000
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from totrackit.db.connect import make_db
from totrackit.demo.generator import Shape
from totrackit.demo.seeder import seed as seed_runs
from totrackit.settings import Settings

SHAPE = Shape(
    names=[f"process-{index:02d}" for index in range(20)],
    countries=[f"C{index}" for index in range(10)],
    channels=["web", "app", "api"],
    providers=[f"p{index}" for index in range(5)],
    days=30,
    source="bench",
)


async def seed(database_url: str, runs: int, seed_value: int = 42) -> float:
    """Replace the bench data with ``runs`` generated runs; returns rows per second."""
    db = make_db(Settings(database_url=database_url).database)
    try:
        done = await seed_runs(
            db,
            runs=runs,
            shape=SHAPE,
            now=datetime.now(UTC),
            force=True,
            seed_value=seed_value,
            progress=lambda count: print(f"  seeded {count:,} more runs", flush=True),
        )
    finally:
        await db.dispose()
    return done.rows_per_second


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rate = asyncio.run(seed(args.database_url, args.runs, args.seed))
    print(f"seeded {args.runs:,} runs ({rate:,.0f} rows/s)")


if __name__ == "__main__":
    main()
