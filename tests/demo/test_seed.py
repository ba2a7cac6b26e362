"""``totrackit seed``: sample runs with the spread of a real installation, never over real data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.servers import run_cli
from totrackit.db.tables import process_tags, processes
from totrackit.processes.rules import DeadlineStatus, Status, deadline_status

p = processes


async def runs_in(db: AsyncEngine) -> list[dict[str, object]]:
    async with db.connect() as conn:
        return [dict(row) for row in (await conn.execute(select(p))).mappings()]


async def index_names(db: AsyncEngine) -> set[str]:
    def read(sync: object) -> set[str]:
        from sqlalchemy import inspect

        inspector = inspect(sync)
        return {
            index["name"]
            for table in (processes.name, process_tags.name)
            for index in inspector.get_indexes(table)
        }

    async with db.connect() as conn:
        return await conn.run_sync(read)


async def test_seed_fills_an_empty_database_with_every_kind_of_run(
    db: AsyncEngine, database_url: str
) -> None:
    indexes = await index_names(db)
    before = datetime.now(UTC)

    result = run_cli(
        "seed", "--runs", "3000", "--names", "5", "--days", "3",
        env={"TOTRACKIT_DATABASE_URL": database_url},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "Seeded 3,000 runs (12,000 rows)" in result.stdout
    assert "rows/s" in result.stdout
    runs = await runs_in(db)
    assert len(runs) == 3000
    assert len({run["name"] for run in runs}) == 5
    assert all(before - timedelta(days=3, hours=25) <= run["started_at"] <= before for run in runs)
    kinds = {
        (run["status"], deadline_status(
            Status(run["status"]), deadline=run["deadline"], completed_at=run["completed_at"],
            now=before,
        ))
        for run in runs
    }  # fmt: skip
    # Deadlines met, missed and still open; runs without a deadline; failures.
    assert {
        ("ACTIVE", DeadlineStatus.MISSED),
        ("ACTIVE", DeadlineStatus.ON_TRACK),
        ("COMPLETED", DeadlineStatus.COMPLETED_ON_TIME),
        ("COMPLETED", DeadlineStatus.COMPLETED_LATE),
        ("COMPLETED", None),
        ("FAILED", None),
    } <= kinds
    async with db.connect() as conn:
        tag_rows = (await conn.execute(select(func.count()).select_from(process_tags))).scalar()
        keys = set((await conn.execute(select(process_tags.c.key).distinct())).scalars())
    assert tag_rows == 3 * 3000
    assert keys == {"country", "channel", "provider"}
    # The indexes dropped for the bulk load are all back.
    assert await index_names(db) == indexes


async def test_new_runs_get_ids_after_the_seeded_ones(db: AsyncEngine, database_url: str) -> None:
    run_cli("seed", "--runs", "10", env={"TOTRACKIT_DATABASE_URL": database_url})

    async with db.begin() as conn:
        now = datetime.now(UTC)
        await conn.execute(
            processes.insert().values(
                process_id="after", name="refund", status="ACTIVE", started_at=now,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        new_id = (await conn.execute(text("SELECT max(id) FROM processes"))).scalar()
    assert new_id == 11


async def test_a_database_with_runs_is_refused_unless_forced(
    db: AsyncEngine, database_url: str
) -> None:
    env = {"TOTRACKIT_DATABASE_URL": database_url}
    run_cli("seed", "--runs", "50", "--names", "2", env=env)

    refused = run_cli("seed", "--runs", "10", env=env)
    kept = await runs_in(db)
    forced = run_cli("seed", "--runs", "10", "--force", env=env)

    assert refused.returncode == 1
    assert "already holds 50 runs; nothing was changed" in refused.stderr
    assert "--force" in refused.stderr
    assert len(kept) == 50
    assert forced.returncode == 0, forced.stderr
    assert "replaced 50 runs" in forced.stdout
    assert len(await runs_in(db)) == 10


def test_bad_counts_are_refused_naming_the_option(database_url: str) -> None:
    env = {"TOTRACKIT_DATABASE_URL": database_url}

    no_runs = run_cli("seed", "--runs", "0", env=env)
    too_many_names = run_cli("seed", "--runs", "5", "--names", "5000", env=env)

    assert no_runs.returncode == 2 and "--runs" in no_runs.stderr
    assert too_many_names.returncode == 2 and "--names" in too_many_names.stderr
