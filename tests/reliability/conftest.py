"""Fault injection: each test gets a PostgreSQL of its own to stop, kill and start again."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer, redis_server_binary
from tests.support.servers import free_port

#: Settings of every server these tests start: short drains, quiet logs, a connect timeout short
#: enough that an outage shows in seconds.
SERVER_SETTINGS = {
    "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "1",
    "TOTRACKIT_ACCESS_LOG": "false",
    "TOTRACKIT_DB_CONNECT_TIMEOUT_MS": "1000",
}


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    # Not under pytest's temporary directory: that is private to this user (0700), and the
    # server runs as another one when the suite runs as root.
    with tempfile.TemporaryDirectory(prefix="totrackit-own-pg-") as directory:
        server = PostgresServer(Path(directory) / "data")
        server.initialise()
        server.start()
        try:
            yield server
        finally:
            server.close()


def stored_runs(url: str, name: str) -> Counter[str]:
    """How many rows each run id has in the database, read directly (not through the API)."""

    async def read() -> Counter[str]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("SELECT process_id FROM processes WHERE name = $1", name)
        finally:
            await conn.close()
        return Counter(row["process_id"] for row in rows)

    return asyncio.run(read())


def server_env(postgres: PostgresServer) -> dict[str, str]:
    return {**SERVER_SETTINGS, "TOTRACKIT_DATABASE_URL": postgres.url}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(redis_server_binary(), free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()
