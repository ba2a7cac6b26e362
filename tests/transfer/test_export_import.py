"""``totrackit export`` and ``totrackit import``: runs as JSON Lines, on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock, finish_run, start_run
from tests.support.servers import run_cli
from totrackit.db.tables import metadata, process_tags, processes


async def some_runs(client: httpx.AsyncClient, clock: FakeClock) -> list[dict[str, Any]]:
    await start_run(
        client,
        "billing",
        "inv-1",
        deadline=clock.epoch(hours=1),
        tags=[("country", "DE"), ("tier", "gold")],
        context={"n": [1, {"x": None}]},
    )
    await start_run(client, "billing", "inv-2", tags={"country": "FR"})
    await start_run(client, "shipping", "box-1", deadline=clock.epoch(minutes=5))
    clock.advance(minutes=10)
    await finish_run(client, "billing", "inv-1")
    await finish_run(client, "billing", "inv-2", "FAILED")
    # a finished run may share its id with a later one
    await start_run(client, "billing", "inv-1", context={"attempt": 2})
    return sorted((await client.get("/processes/?limit=100")).json()["data"], key=_key)


def _key(run: dict[str, Any]) -> tuple[str, str, int]:
    return (run["name"], run["id"], run["started_at"])


async def empty(db: AsyncEngine) -> None:
    async with db.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(delete(table))


async def counts(db: AsyncEngine) -> tuple[int, int]:
    async with db.connect() as conn:
        runs = (await conn.execute(select(func.count()).select_from(processes))).scalar_one()
        tags = (await conn.execute(select(func.count()).select_from(process_tags))).scalar_one()
    return runs, tags


def line(**fields: Any) -> str:
    run = {"name": "billing", "id": "inv-9", "status": "ACTIVE", "started_at": 1784469600}
    return json.dumps({**run, **fields})


async def test_export_then_import_into_an_empty_database_keeps_every_run(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    database_url: str,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    env = {"TOTRACKIT_DATABASE_URL": database_url}
    before = await some_runs(client, clock)
    exported = run_cli("export", "--output", str(tmp_path / "runs.jsonl"), env=env)
    await empty(db)

    imported = run_cli("import", str(tmp_path / "runs.jsonl"), env=env)
    after = sorted((await client.get("/processes/?limit=100")).json()["data"], key=_key)
    by_tag = (await client.get("/processes/?tags=country:DE")).json()["data"]

    assert exported.returncode == 0, exported.stderr
    assert len((tmp_path / "runs.jsonl").read_text().splitlines()) == 4
    assert imported.returncode == 0, imported.stderr
    assert "4 run(s) imported, 0 already present, 0 line(s) rejected." in imported.stderr
    assert after == before
    assert [run["id"] for run in by_tag] == ["inv-1"]


async def test_importing_the_same_file_again_changes_nothing(
    client: httpx.AsyncClient,
    db: AsyncEngine,
    database_url: str,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    env = {"TOTRACKIT_DATABASE_URL": database_url}
    before = await some_runs(client, clock)
    run_cli("export", "-o", str(tmp_path / "runs.jsonl"), env=env)
    stored = await counts(db)

    again = run_cli("import", str(tmp_path / "runs.jsonl"), env=env)

    assert again.returncode == 0, again.stderr
    assert "0 run(s) imported, 4 already present" in again.stderr
    assert await counts(db) == stored
    assert sorted((await client.get("/processes/?limit=100")).json()["data"], key=_key) == before


async def test_a_file_with_bad_lines_is_refused_whole_with_each_line_named(
    db: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(
        "\n".join(
            [
                line(id="ok-1"),
                "{not json",
                line(id="ok-2"),
                line(id="a/b"),
                "",
                line(id="ok-3", status="COMPLETED"),
                line(id="ok-4", tags=[{"key": "", "value": "x"}]),
                "[1, 2]",
            ]
        )
        + "\n"
    )

    result = run_cli("import", str(source), env={"TOTRACKIT_DATABASE_URL": database_url})

    assert result.returncode == 1
    problems = [row for row in result.stderr.splitlines() if row.startswith("line ")]
    assert [row.split(":")[0] for row in problems] == [
        "line 2",
        "line 4",
        "line 6",
        "line 7",
        "line 8",
    ]
    assert "line 4: id: must not contain '/'" in result.stderr
    assert "line 6: a COMPLETED run needs completed_at" in result.stderr
    assert "line 7: tags[0].key:" in result.stderr
    assert "5 of 7 line(s) rejected: nothing was imported" in result.stderr
    assert await counts(db) == (0, 0)


async def test_skip_invalid_imports_the_valid_lines(
    db: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join([line(id="ok-1"), "oops", line(id="ok-2", tags=[])]) + "\n")

    result = run_cli(
        "import", "--skip-invalid", str(source), env={"TOTRACKIT_DATABASE_URL": database_url}
    )

    assert result.returncode == 0, result.stderr
    assert "line 2: not JSON" in result.stderr
    assert "2 run(s) imported, 0 already present, 1 line(s) rejected." in result.stderr
    assert await counts(db) == (2, 0)


async def test_an_active_run_that_is_already_active_is_rejected(
    client: httpx.AsyncClient, db: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await start_run(client, "billing", "inv-9")
    source = tmp_path / "clash.jsonl"
    source.write_text(line(started_at=1000) + "\n" + line(id="fine") + "\n")

    result = run_cli("import", str(source), env={"TOTRACKIT_DATABASE_URL": database_url})

    assert result.returncode == 1
    assert "line 1: an ACTIVE run billing/inv-9 already exists" in result.stderr
    assert (await counts(db))[0] == 1


async def test_import_reads_standard_input_and_export_writes_standard_output(
    db: AsyncEngine, database_url: str
) -> None:
    env = {"TOTRACKIT_DATABASE_URL": database_url}
    fed = run_cli("import", "-", env=env, stdin=line(tags=[{"key": "k", "value": "v"}]) + "\n")
    exported = run_cli("export", env=env)

    assert fed.returncode == 0, fed.stderr
    (run,) = [orjson.loads(row) for row in exported.stdout.splitlines()]
    assert (run["name"], run["id"], run["tags"]) == (
        "billing",
        "inv-9",
        [{"key": "k", "value": "v"}],
    )
    assert run["started_at"] == 1784469600
