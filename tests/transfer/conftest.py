"""Fresh, empty databases of either backend to restore into, and reading a whole database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db.connect import make_db
from totrackit.db.tables import metadata
from totrackit.settings import Settings

MakeDatabase = Callable[[str], Awaitable[str]]


@pytest.fixture
async def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[MakeDatabase]:
    """``await fresh_database("sqlite"|"postgresql")``: the URL of a new, empty database
    (PostgreSQL ones are created on the suite's server and dropped afterwards)."""
    created: list[str] = []

    async def make(backend: str) -> str:
        name = f"fresh_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        server: str = request.getfixturevalue("postgresql_url")
        await _admin(server, f'CREATE DATABASE "{name}"')
        created.append(name)
        return urlsplit(server)._replace(path=f"/{name}").geturl()

    yield make
    for name in created:
        await _admin(
            request.getfixturevalue("postgresql_url"), f'DROP DATABASE "{name}" WITH (FORCE)'
        )


async def _admin(url: str, statement: str) -> None:
    db = open_db(url)
    try:
        async with db.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await db.dispose()


async def every_row(db: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows, typed as the code reads them, in primary-key order."""
    found = {}
    async with db.connect() as conn:
        for table in metadata.sorted_tables:
            statement = select(table).order_by(*table.primary_key.columns)
            found[table.name] = [tuple(row) for row in (await conn.execute(statement)).all()]
    return found


def open_db(url: str) -> AsyncEngine:
    return make_db(Settings(database_url=url).database)
