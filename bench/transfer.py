"""B12 and the restore drill: bulk import, backup and restore, each beside its denominator.

    python -m bench.transfer --runs 1000000            # throwaway PostgreSQL from pgserver
    python -m bench.transfer --runs 1000000 --database-url postgresql://user:pass@host/

Steps, on fresh databases each time: L_pg_bulk (raw asyncpg COPY of the same runs with the
indexes built afterwards, bench/seed.py), ``import`` into PostgreSQL and into SQLite (the
service code, one transaction, every index maintained), then ``backup`` of the PostgreSQL
database and ``restore`` of that file into PostgreSQL and into SQLite. The database size is
PostgreSQL's own figure (pg_database_size).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import orjson
from sqlalchemy import text

from bench import seed
from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.settings import Settings
from totrackit.transfer.backup import restore_backup, take_backup
from totrackit.transfer.progress import Progress
from totrackit.transfer.runs import import_runs, parse_jsonl


def write_runs(path: Path, runs: int) -> None:
    """The bench data set (bench/seed.py's shape) as an import file in the wire format."""
    rng, now = random.Random(42), datetime.now(UTC)
    with path.open("wb") as out:
        for pk in range(1, runs + 1):
            row, _ = seed.make_run(rng, pk, now)
            _, pid, name, status, started, completed, deadline, tags, context = row[:9]
            document = {
                "id": pid,
                "name": name,
                "status": status,
                "started_at": int(started.timestamp()),
                "completed_at": int(completed.timestamp()) if completed else None,
                "deadline": int(deadline.timestamp()) if deadline else None,
                "tags": orjson.loads(tags),
                "context": orjson.loads(context),
            }
            out.write(orjson.dumps(document) + b"\n")


class Databases:
    def __init__(self, server: str, workdir: Path) -> None:
        self.server, self.workdir = server, workdir

    async def postgresql(self) -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_db(Settings(database_url=self.server).database)
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        return urlsplit(self.server)._replace(path=f"/{name}").geturl()

    def sqlite(self) -> str:
        return f"sqlite:///{self.workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"


def quiet() -> Progress:
    return Progress("bench", enabled=False)


async def timed_import(url: str, source: Path) -> float:
    db = make_db(Settings(database_url=url).database)
    try:
        await migrate.upgrade(db)
        started = time.perf_counter()
        report = await import_runs(
            db,
            parse_jsonl(_chunks(source)),
            skip_invalid=False,
            warning_threshold=0.75,
            progress=quiet(),
        )
        elapsed = time.perf_counter() - started
        assert report.applied and report.rejected == 0, report.problems[:3]
        return report.imported / elapsed
    finally:
        await db.dispose()


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk


async def timed(action: str, url: str, path: Path) -> tuple[float, int]:
    db = make_db(Settings(database_url=url).database)
    try:
        started = time.perf_counter()
        if action == "backup":
            manifest = await take_backup(db, path, progress=quiet())
            rows = manifest.total_rows
        else:
            rows = (await restore_backup(db, path, force=False, verify=quiet(), load=quiet())).rows
        return time.perf_counter() - started, rows
    finally:
        await db.dispose()


async def database_size(url: str) -> int:
    db = make_db(Settings(database_url=url).database)
    try:
        async with db.connect() as conn:
            size = await conn.scalar(text("SELECT pg_database_size(current_database())"))
        return int(size)
    finally:
        await db.dispose()


async def bench(server: str, runs: int, workdir: Path) -> None:
    dbs = Databases(server, workdir)
    source = workdir / "runs.jsonl"
    write_runs(source, runs)
    print(f"import file: {runs:,} runs, {source.stat().st_size / 1e6:,.0f} MB")

    bulk_url = await dbs.postgresql()
    await _migrated(bulk_url)
    denominator = await seed.seed(_asyncpg_url(bulk_url), runs)
    print(f"L_pg_bulk (COPY, indexes built after): {denominator:,.0f} runs/s")

    pg_url = await dbs.postgresql()
    pg_rate = await timed_import(pg_url, source)
    print(f"B12 import PostgreSQL: {pg_rate:,.0f} runs/s = {pg_rate / denominator:.2f} x L_pg_bulk")
    sqlite_rate = await timed_import(dbs.sqlite(), source)
    print(
        f"B12 import SQLite:     {sqlite_rate:,.0f} runs/s = {sqlite_rate / denominator:.2f} x L_pg_bulk"
    )

    size = await database_size(pg_url)
    archive = workdir / "backup.zip"
    seconds, rows = await timed("backup", pg_url, archive)
    print(
        f"backup PostgreSQL ({size / 1e9:.2f} GB database): {seconds:.1f}s, {rows:,} rows, "
        f"file {archive.stat().st_size / 1e6:,.0f} MB"
    )
    for target in ("postgresql", "sqlite"):
        url = await dbs.postgresql() if target == "postgresql" else dbs.sqlite()
        seconds, rows = await timed("restore", url, archive)
        print(f"restore into {target}: {seconds:.1f}s ({rows / seconds:,.0f} rows/s)")


async def _migrated(url: str) -> None:
    db = make_db(Settings(database_url=url).database)
    await migrate.upgrade(db)
    await db.dispose()


def _asyncpg_url(url: str) -> str:
    return url  # asyncpg takes the libpq URL forms the settings take


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a PostgreSQL server (databases are created on it)")
    parser.add_argument("--workdir", help="where the files go (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="totrackit-bench-") as scratch:
        workdir = Path(args.workdir or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        server = args.database_url or _pgserver(workdir / "pg")
        asyncio.run(bench(server, args.runs, workdir))


def _pgserver(data: Path) -> str:
    import pgserver

    data.mkdir(parents=True, exist_ok=True)
    return str(pgserver.get_server(data, cleanup_mode="stop").get_uri())


if __name__ == "__main__":
    main()
