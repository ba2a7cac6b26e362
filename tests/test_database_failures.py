"""A slow query or a lost database is a 503 with a clear message, never a bare 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock
from totrackit.app import create_app
from totrackit.db.connect import make_db
from totrackit.settings import Settings


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_statement_timeout_is_a_503_query_timeout(
    db: AsyncEngine, database_url: str
) -> None:
    async with db.begin() as conn:  # enough rows that the analytics query needs > 1 ms
        await conn.exec_driver_sql(
            "INSERT INTO processes (process_id, name, status, started_at, created_at, updated_at)"
            " SELECT 'run-' || n, 'slow', 'ACTIVE', now(), now(), now()"
            " FROM generate_series(1, 50000) AS n"
        )
    app = create_app(Settings(database_url=database_url, auto_migrate=False), clock=FakeClock())
    async with app.router.lifespan_context(app):
        # Started normally; from here on every statement may run for 1 ms only.
        impatient = make_db(Settings(database_url=database_url, db_statement_timeout_ms=1).database)
        app.state.totrackit.db = impatient
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/analytics/tags?window_hours=720")
        await impatient.dispose()

    assert response.status_code == 503
    assert response.json()["error"] == "QUERY_TIMEOUT"
    assert response.headers["retry-after"] == "5"


async def unreachable_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url="postgresql://totrackit:secret@127.0.0.1:9/totrackit", auto_migrate=False
    )
    app = create_app(settings, clock=FakeClock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def test_an_unreachable_database_at_start_is_retried_while_not_ready(
    tmp_path: Path,
) -> None:
    async for client in unreachable_client(tmp_path):
        response = await client.get("/processes/")
        ready = await client.get("/health/ready")

        assert response.status_code == 503
        assert response.json()["error"] == "STARTING"
        assert "127.0.0.1:9" in response.json()["message"]
        assert "secret" not in response.text
        assert ready.status_code == 503
        assert ready.json()["reason"].startswith("starting")
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/health")).status_code == 503
