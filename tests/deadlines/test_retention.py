"""Retention (TOTRACKIT_RUN_RETENTION): finished runs older than the setting leave, in batches,
archived first when asked; ACTIVE runs and recent ones stay."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.deadlines.conftest import add_run
from tests.support import T0, FakeClock
from tests.support.servers import run_cli
from totrackit.db.tables import process_tags, processes
from totrackit.deadlines import retention
from totrackit.processes import repository as runs
from totrackit.processes.rules import Status
from totrackit.settings import Settings
from totrackit.transfer import wire
from totrackit.transfer.progress import Progress
from totrackit.transfer.runs import import_runs, parse_jsonl

KEEP = "90d"
TAGS = [{"key": "country", "value": "DE"}]


async def finished_run(
    db: AsyncEngine, process_id: str, *, at: datetime, status: Status = Status.COMPLETED
) -> None:
    await add_run(
        db, started_at=at - timedelta(hours=1), budget=None, process_id=process_id, tags=TAGS
    )
    async with db.begin() as conn:
        finished = await runs.finish_active_run(
            conn, name="account-activation", process_id=process_id, status=status, now=at
        )
    assert finished is not None


async def stored_ids(db: AsyncEngine) -> set[str]:
    async with db.connect() as conn:
        return set((await conn.execute(select(processes.c.process_id))).scalars())


async def tag_rows(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(process_tags))).scalar_one()
        )


def archived_lines(directory: Path) -> list[bytes]:
    return [line for path in directory.iterdir() for line in path.read_bytes().splitlines()]


def counted(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def test_finished_runs_older_than_the_retention_are_deleted_with_their_tags(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    await finished_run(db, "old-completed", at=T0)
    await finished_run(db, "old-failed", at=T0, status=Status.FAILED)
    await add_run(
        db, started_at=T0 - timedelta(days=1), budget=None, process_id="old-active", tags=TAGS
    )
    await finished_run(db, "recent", at=T0 + timedelta(days=5))
    clock.current = T0 + timedelta(days=91)
    deleted_before = counted("totrackit_retention_deleted_runs_total")

    removed = await make_deadlines(run_retention=KEEP).retention.run()

    assert removed == 2
    assert await stored_ids(db) == {"old-active", "recent"}  # ACTIVE runs never expire
    assert await tag_rows(db) == 2
    assert counted("totrackit_retention_deleted_runs_total") - deleted_before == 2


async def test_a_run_finished_exactly_at_the_cutoff_stays(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any
) -> None:
    await finished_run(db, "at-cutoff", at=T0)
    clock.current = T0 + timedelta(days=90)

    assert await make_deadlines(run_retention=KEEP).retention.run() == 0
    assert await stored_ids(db) == {"at-cutoff"}


async def test_zero_keeps_every_run(db: AsyncEngine, clock: FakeClock, make_deadlines: Any) -> None:
    await finished_run(db, "ancient", at=T0)
    clock.current = T0 + timedelta(days=10_000)

    engine = make_deadlines()  # the default

    assert not engine.retention.enabled
    assert await engine.retention.run() == 0
    assert await stored_ids(db) == {"ancient"}


async def test_a_backlog_larger_than_a_round_continues_in_the_next_round(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)
    monkeypatch.setattr(retention, "BATCHES_PER_ROUND", 2)
    for index in range(5):
        await finished_run(db, f"old-{index}", at=T0 + timedelta(minutes=index))
    clock.current = T0 + timedelta(days=100)
    engine = make_deadlines(run_retention=KEEP)

    first, second, third = [await engine.retention.run() for _ in range(3)]

    assert (first, second, third) == (4, 1, 0)
    assert await stored_ids(db) == set()


async def test_archived_runs_are_written_in_the_export_format_before_they_leave(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, tmp_path: Path
) -> None:
    await finished_run(db, "old-completed", at=T0)
    await finished_run(db, "old-failed", at=T0, status=Status.FAILED)
    await finished_run(db, "recent", at=T0 + timedelta(days=5))
    clock.current = T0 + timedelta(days=91)
    archive_dir = tmp_path / "archive"

    await make_deadlines(run_retention=KEEP, run_archive_dir=str(archive_dir)).retention.run()

    assert len(list(archive_dir.iterdir())) == 1
    records = [wire.decode(line) for line in archived_lines(archive_dir)]
    assert sorted((r.process_id, r.status.value) for r in records) == [
        ("old-completed", "COMPLETED"),
        ("old-failed", "FAILED"),
    ]
    assert all(r.tags == TAGS and r.completed_at == T0 for r in records)


async def test_an_archive_imports_back_what_retention_removed(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, tmp_path: Path
) -> None:
    await finished_run(db, "old-completed", at=T0)
    clock.current = T0 + timedelta(days=91)
    await make_deadlines(run_retention=KEEP, run_archive_dir=str(tmp_path)).retention.run()
    assert await stored_ids(db) == set()

    report = await import_runs(
        db,
        parse_jsonl([b"\n".join(archived_lines(tmp_path))]),
        skip_invalid=False,
        warning_threshold=0.75,
        progress=Progress("import", enabled=False),
    )

    assert report.imported == 1
    assert await stored_ids(db) == {"old-completed"}
    assert await tag_rows(db) == 1


async def test_nothing_due_writes_no_archive(
    db: AsyncEngine, clock: FakeClock, make_deadlines: Any, tmp_path: Path
) -> None:
    await finished_run(db, "recent", at=T0)
    clock.current = T0 + timedelta(days=1)

    await make_deadlines(run_retention=KEEP, run_archive_dir=str(tmp_path / "a")).retention.run()

    assert not (tmp_path / "a").exists()


async def test_engines_sharing_a_database_never_archive_a_run_twice(
    postgresql_only: str,
    db: AsyncEngine,
    clock: FakeClock,
    make_deadlines: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retention, "BATCH", 3)
    for index in range(30):
        await finished_run(db, f"old-{index:02}", at=T0 + timedelta(seconds=index))
    clock.current = T0 + timedelta(days=100)
    engines = [make_deadlines(run_retention=KEEP, run_archive_dir=str(tmp_path)) for _ in range(3)]

    removed = await asyncio.gather(*(engine.retention.run() for engine in engines))

    archived = [wire.decode(line).process_id for line in archived_lines(tmp_path)]
    assert sum(removed) == 30
    assert sorted(archived) == [f"old-{index:02}" for index in range(30)]
    assert await stored_ids(db) == set()


@pytest.mark.parametrize("value", ["30", "12h", "-1d"])
def test_a_retention_shorter_than_a_day_is_refused_naming_the_variable(value: str) -> None:
    result = run_cli("config", "check", env={"TOTRACKIT_RUN_RETENTION": value})

    assert result.returncode == 78
    assert "  TOTRACKIT_RUN_RETENTION" in result.stderr


def test_retention_reads_days() -> None:
    settings = Settings.from_environment({"TOTRACKIT_RUN_RETENTION": "90d"})

    assert settings.deadlines.run_retention == timedelta(days=90)
