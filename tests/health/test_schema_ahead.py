"""After a rollback the database is at a newer release's revision: the older release runs on it.

The rule of docs/releasing.md: migrations are expand steps the previous release keeps working
on. So a revision this code does not know is "ahead", not "pending": ready stays UP, and
``migrate upgrade`` (the one-shot migrate service, or auto-migrate) does nothing instead of
failing on a revision it cannot locate.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock
from totrackit.app import create_app
from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.settings import Settings

NEWER = "9999_from_a_newer_release"


@pytest.fixture
async def ahead(tmp_path: Path) -> AsyncIterator[tuple[str, AsyncEngine]]:
    url = f"sqlite:///{tmp_path / 'ahead.db'}"
    db = make_db(Settings(database_url=url).database)
    await migrate.upgrade(db)
    with sqlite3.connect(tmp_path / "ahead.db") as conn:  # what the newer release's upgrade left
        conn.execute("UPDATE alembic_version SET version_num = ?", (NEWER,))
    yield url, db
    await db.dispose()


async def test_a_revision_of_a_newer_release_is_ahead_and_ready(
    ahead: tuple[str, AsyncEngine],
) -> None:
    url, _ = ahead
    app = create_app(Settings(database_url=url, env="test", auto_migrate=False), clock=FakeClock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ready = await client.get("/health/ready")

    assert ready.status_code == 200
    assert ready.json()["migrations"] == {
        "status": "ahead",
        "current": NEWER,
        "head": migrate.head_revision(),
    }


async def test_upgrading_a_database_that_is_ahead_changes_nothing_and_says_why(
    ahead: tuple[str, AsyncEngine], caplog: pytest.LogCaptureFixture
) -> None:
    _, db = ahead

    with caplog.at_level(logging.WARNING, logger="totrackit.db.migrate"):
        await migrate.upgrade(db)

    assert await migrate.current_revision(db) == NEWER
    assert f"The database is at revision {NEWER}, which a newer release applied" in caplog.text


async def test_a_database_behind_this_release_is_pending() -> None:
    older = sorted(migrate.known_revisions() - {migrate.head_revision()})

    assert older
    assert migrate.schema_state(None) == migrate.PENDING
    assert {migrate.schema_state(revision) for revision in older} == {migrate.PENDING}
    assert migrate.schema_state(migrate.head_revision()) == migrate.UP_TO_DATE
    assert migrate.schema_state(NEWER) == migrate.AHEAD
