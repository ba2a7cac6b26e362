"""Every revision, found in the migrations folder (a new one is covered without editing this
file), moves a database holding data up and down on both backends without losing a field, and
an upgrade from any earlier revision straight to head keeps every run."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from alembic.script import Script
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.migrations import data
from tests.migrations.today import service
from totrackit.db import migrate

REVISIONS = migrate.revisions()


def _name(script: Script) -> str:
    return f"{script.revision}-{script.doc.split('.')[0][:30]}"


def test_the_revisions_form_one_line_from_base_to_head() -> None:
    assert REVISIONS, "no revisions found"
    assert REVISIONS[0].down_revision is None
    for older, newer in itertools.pairwise(REVISIONS):
        assert newer.down_revision == older.revision
    assert REVISIONS[-1].revision == migrate.head_revision()


@pytest.mark.parametrize("revision", REVISIONS, ids=_name)
async def test_each_revision_upgrades_and_downgrades_a_database_holding_data(
    scratch_db: AsyncEngine, revision: Script
) -> None:
    previous = revision.down_revision or "base"
    if previous != "base":
        await migrate.upgrade(scratch_db, previous)
        await data.seed(scratch_db, "before")
    schema_before = await data.schema_of(scratch_db)
    before = await data.snapshot(scratch_db)

    await migrate.upgrade(scratch_db, revision.revision)
    assert await migrate.current_revision(scratch_db) == revision.revision
    assert data.lost_or_changed(before, await data.snapshot(scratch_db)) == []

    await data.seed(scratch_db, "after")  # rows in this revision's own schema
    upgraded = await data.snapshot(scratch_db)
    assert len(upgraded["processes"]) == len(before.get("processes", {})) + len(data.runs(""))

    await migrate.downgrade(scratch_db, previous)
    assert await migrate.current_revision(scratch_db) == revision.down_revision
    assert await data.schema_of(scratch_db) == schema_before
    downgraded = await data.snapshot(scratch_db)
    assert data.lost_or_changed(upgraded, downgraded) == []

    await migrate.upgrade(scratch_db, revision.revision)
    assert data.lost_or_changed(downgraded, await data.snapshot(scratch_db)) == []


def as_served(run: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ProcessResponse that a stored run determines (deadline_status and
    duration also depend on the time of reading)."""

    def epoch(moment: Any) -> int | None:
        return None if moment is None else int(moment.timestamp())

    return {
        "id": run["process_id"],
        "name": run["name"],
        "status": run["status"],
        "started_at": epoch(run["started_at"]),
        "completed_at": epoch(run.get("completed_at")),
        "deadline": epoch(run.get("deadline")),
        "tags": run["tags"] or [],
        "context": run["context"] or {},
    }


@pytest.mark.parametrize("revision", REVISIONS[:-1], ids=_name)
async def test_an_upgrade_from_each_earlier_revision_straight_to_head_keeps_every_run(
    scratch_db: AsyncEngine, scratch_url: str, revision: Script
) -> None:
    await migrate.upgrade(scratch_db, revision.revision)
    seeded = await data.seed(scratch_db, "old")
    before = await data.snapshot(scratch_db)

    await migrate.upgrade(scratch_db)

    assert await migrate.current_revision(scratch_db) == migrate.head_revision()
    assert data.lost_or_changed(before, await data.snapshot(scratch_db)) == []
    async with service(scratch_url) as client:
        page = (await client.get("/processes", params={"limit": 100})).json()
        assert page["total"] == len(seeded)
        for run in seeded:
            response = await client.get(f"/processes/{run['name']}/{run['process_id']}")
            assert response.status_code == 200, response.text
            served = response.json()
            assert {key: served[key] for key in as_served(run)} == as_served(run)
