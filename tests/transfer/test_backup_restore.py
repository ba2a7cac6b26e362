"""``totrackit backup`` and ``totrackit restore``: consistent snapshots, into either database."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock, finish_run, start_run
from tests.support.servers import run_cli
from tests.transfer.conftest import MakeDatabase, every_row, open_db
from totrackit.db import migrate
from totrackit.db.tables import process_tags, processes
from totrackit.transfer.backup import restore_backup, take_backup
from totrackit.transfer.progress import Progress


def quiet() -> Progress:
    return Progress("test", enabled=False)


async def varied_runs(client: httpx.AsyncClient, clock: FakeClock) -> None:
    """Runs that exercise every column: deadlines, warnings, tags, nested context, failures."""
    await start_run(
        client,
        "billing",
        "inv-1",
        deadline=clock.epoch(minutes=10),
        tags=[("country", "DE"), ("tier", "gold")],
        context={"amount": 12.5, "lines": [{"sku": "A-1", "qty": 2}], "note": "ü ✓"},
    )
    await start_run(client, "billing", "inv-2", deadline=clock.epoch(hours=2))
    await start_run(client, "shipping", "box-1", tags={"carrier": "dhl"})
    clock.advance(minutes=9, microseconds=123456)
    await finish_run(client, "shipping", "box-1", "FAILED")
    await start_run(client, "shipping", "box-1", context={"retry": True})


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
async def test_a_restore_into_either_database_keeps_every_field(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    clock: FakeClock,
    tmp_path: Path,
    fresh_database: MakeDatabase,
    target: str,
) -> None:
    await varied_runs(client, clock)
    path = tmp_path / "backup.zip"
    manifest = await take_backup(db, path, progress=quiet())
    restored_db = open_db(await fresh_database(target))

    try:
        await restore_backup(restored_db, path, force=False, verify=quiet(), load=quiet())
        restored = await every_row(restored_db)
        revision = await migrate.current_revision(restored_db)
    finally:
        await restored_db.dispose()

    original = await every_row(db)
    assert restored == original
    assert len(original["processes"]) == 4 and len(original["process_tags"]) == 3
    assert revision == migrate.head_revision()
    assert manifest.schema_revision == migrate.head_revision()
    counts = {entry.name: entry.rows for entry in manifest.tables}
    assert counts["processes"] == 4 and counts["process_tags"] == 3


async def test_restored_ids_continue_after_the_restored_ones(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    clock: FakeClock,
    tmp_path: Path,
    fresh_database: MakeDatabase,
    database_url: str,
) -> None:
    await varied_runs(client, clock)
    await take_backup(db, tmp_path / "b.zip", progress=quiet())
    url = await fresh_database("postgresql" if database_url.startswith("postgresql") else "sqlite")

    restored = run_cli("restore", str(tmp_path / "b.zip"), env={"TOTRACKIT_DATABASE_URL": url})
    fed = run_cli(
        "import",
        "-",
        env={"TOTRACKIT_DATABASE_URL": url},
        stdin=orjson.dumps(
            {"name": "later", "id": "new-1", "status": "ACTIVE", "started_at": 1784469600}
        ).decode(),
    )

    assert restored.returncode == 0, restored.stderr
    assert "Restored 7 row(s)" in restored.stderr
    assert fed.returncode == 0, fed.stderr


async def test_a_backup_taken_during_writes_holds_exactly_a_prefix_of_them(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    tmp_path: Path,
    fresh_database: MakeDatabase,
    database_url: str,
) -> None:
    """Runs are written one at a time, in order, while the backup reads: a consistent snapshot
    holds every run acknowledged before it began, then a gap-free prefix of the later ones,
    and every run with all its tags (a torn read would break the tags' foreign key)."""
    for number in range(1500):
        await _write(client, number)
    acknowledged: list[int] = []
    stop = asyncio.Event()

    async def writer() -> None:
        number = 1500
        while not stop.is_set():
            await _write(client, number)
            acknowledged.append(number)
            number += 1

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.05)
    before = 1500 + len(acknowledged)
    await take_backup(db, tmp_path / "during.zip", progress=quiet())
    after = 1500 + len(acknowledged)
    stop.set()
    await task
    target = open_db(
        await fresh_database("postgresql" if "postgresql" in database_url else "sqlite")
    )
    try:
        await restore_backup(
            target, tmp_path / "during.zip", force=False, verify=quiet(), load=quiet()
        )
        async with target.connect() as conn:
            ids = sorted(
                int(i.split("-")[1])
                for i in (await conn.execute(select(processes.c.process_id))).scalars()
            )
            tags = (await conn.execute(select(func.count()).select_from(process_tags))).scalar_one()
    finally:
        await target.dispose()

    assert after > before, "no write landed while the backup ran: the test proves nothing"
    assert ids == list(range(len(ids)))
    assert before <= len(ids) <= after
    assert tags == 2 * len(ids)


async def _write(client: httpx.AsyncClient, number: int) -> None:
    await start_run(client, "stream", f"run-{number}", tags=[("n", str(number)), ("k", "v")])


async def test_restore_refuses_a_database_with_data_unless_forced(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    clock: FakeClock,
    tmp_path: Path,
    database_url: str,
) -> None:
    await varied_runs(client, clock)
    env = {"TOTRACKIT_DATABASE_URL": database_url}
    taken = run_cli("backup", "--output", str(tmp_path / "b.zip"), env=env)
    await start_run(client, "billing", "after-backup")

    refused = run_cli("restore", str(tmp_path / "b.zip"), env=env)
    forced = run_cli("restore", "--force", str(tmp_path / "b.zip"), env=env)

    assert taken.returncode == 0, taken.stderr
    assert refused.returncode == 1
    assert "the target database is not empty (process_tags: 3, processes: 5)" in refused.stderr
    assert "--force" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    ids = {run["id"] for run in (await client.get("/processes/?limit=100")).json()["data"]}
    assert ids == {"inv-1", "inv-2", "box-1"}


async def test_a_damaged_backup_is_refused_before_anything_changes(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    clock: FakeClock,
    tmp_path: Path,
    fresh_database: MakeDatabase,
) -> None:
    await varied_runs(client, clock)
    good = tmp_path / "good.zip"
    await take_backup(db, good, progress=quiet())
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            copy.writestr(
                item, data.replace(b"inv-1", b"inv-X") if "processes" in item.filename else data
            )
    url = await fresh_database("sqlite")

    result = run_cli("restore", str(damaged), env={"TOTRACKIT_DATABASE_URL": url})
    not_a_backup = run_cli(
        "restore", str(tmp_path / "nope.zip"), env={"TOTRACKIT_DATABASE_URL": url}
    )

    assert result.returncode == 1
    assert "tables/processes.jsonl does not match its checksum" in result.stderr
    assert not await asyncio.to_thread(Path(url.removeprefix("sqlite:///")).exists)
    assert "no such file" in not_a_backup.stderr


def test_the_manifest_names_format_revision_backend_counts_and_checksums(tmp_path: Path) -> None:
    env = {"TOTRACKIT_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    run_cli("migrate", "upgrade", env=env)

    taken = run_cli("backup", "--output-dir", str(tmp_path / "backups"), env=env)

    (path,) = (tmp_path / "backups").glob("totrackit-backup-*.zip")
    manifest: dict[str, Any] = orjson.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert taken.returncode == 0, taken.stderr
    assert manifest["format"] == "totrackit-backup" and manifest["format_version"] == 1
    assert manifest["schema_revision"] == migrate.head_revision()
    assert manifest["source_backend"] == "sqlite"
    assert manifest["created_at"]
    tables = {entry["name"]: entry for entry in manifest["tables"]}
    assert set(tables) >= {"processes", "process_tags", "webhook_outbox"}
    assert all(len(entry["sha256"]) == 64 and entry["rows"] == 0 for entry in tables.values())
