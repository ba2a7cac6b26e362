"""Fixtures for the request-protection tests: apps built per test, and a real Redis server
(tests/support/redis.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.redis import RedisServer, redis_server_binary
from tests.support.servers import free_port
from totrackit.app import create_app
from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.settings import Settings

CLIENT_ADDRESS = "203.0.113.7"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(redis_server_binary(), free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="session")
async def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite database for these tests: the protection layer is database-agnostic."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'totrackit.db'}"
    db = make_db(Settings(database_url=url).database)
    await migrate.upgrade(db)
    await db.dispose()
    return url


MakeApp = Callable[..., Awaitable[FastAPI]]


@pytest.fixture
async def make_app(web_database_url: str) -> AsyncIterator[MakeApp]:
    """Build and start an app with these setting overrides; stopped after the test."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> FastAPI:
            options: dict[str, Any] = {"env": "test", "auto_migrate": False, **overrides}
            app = create_app(Settings(database_url=web_database_url, **options))
            await stack.enter_async_context(app.router.lifespan_context(app))
            limiter = app.state.totrackit.limiter
            if limiter is not None:
                stack.push_async_callback(limiter.aclose)
            return app

        yield make


def client_for(
    app: FastAPI, address: str = CLIENT_ADDRESS, base_url: str = "http://testserver"
) -> httpx.AsyncClient:
    """An in-process client whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)
