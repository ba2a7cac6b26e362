"""N-1 compatibility (OPERATIONS.md G5): after an upgrade, the previous release's code, run as a
real server process in its own environment, still works on the schema at head, so the
application can be rolled back without rolling the database back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.migrations.previous_release import (
    NoHistory,
    Release,
    previous_release,
    round_trip,
    serving,
)
from tests.migrations.today import service
from totrackit.db import migrate


@pytest.fixture(scope="module")
def release() -> Iterator[Release]:
    try:
        with previous_release() as found:
            yield found
    except NoHistory as missing:
        pytest.skip(f"no previous release to check out: {missing}")


async def test_the_previous_release_works_on_a_database_migrated_to_head(
    release: Release, scratch_db: AsyncEngine, scratch_url: str, tmp_path: Path
) -> None:
    await migrate.upgrade(scratch_db)
    async with service(scratch_url) as today:  # a run written before rolling back
        written = await today.post(
            "/processes/written-today", json={"id": "run-1", "tags": [{"key": "k", "value": "v"}]}
        )
        assert written.status_code == 201

    with serving(release, scratch_url, tmp_path / "previous") as url:
        try:
            await round_trip(url)
        except AssertionError as failure:
            pytest.fail(f"the previous release ({release.why}) fails at head: {failure}")
        async with httpx.AsyncClient(base_url=url, timeout=10) as previous:
            kept = await previous.get("/processes/written-today/run-1")
        assert kept.status_code == 200, kept.text
        assert kept.json()["tags"] == [{"key": "k", "value": "v"}]

    async with service(scratch_url) as today:  # and today's code reads what it wrote
        page = (await today.get("/processes", params={"limit": 100})).json()
        assert page["total"] == 2
        assert {run["status"] for run in page["data"]} == {"ACTIVE", "FAILED"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_schema_the_previous_release_cannot_use_is_caught(
    release: Release, scratch_db: AsyncEngine, scratch_url: str, tmp_path: Path
) -> None:
    """What a contract migration shipped too early does: renaming a column every release
    reads."""
    await migrate.upgrade(scratch_db)
    async with scratch_db.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE processes RENAME COLUMN context TO details")

    with (
        serving(release, scratch_url, tmp_path / "previous") as url,
        pytest.raises(AssertionError, match=r"create: 5\d\d"),
    ):
        await round_trip(url)
