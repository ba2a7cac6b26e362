"""Running one database action from a CLI command, on a pool opened and closed around it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from totrackit.cli.settings import load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from totrackit.settings import Settings

T = TypeVar("T")


def run_with_db(
    action: Callable[[AsyncEngine], Awaitable[T]],
    *,
    announce: bool = False,
    settings: Settings | None = None,
) -> T:
    """Run ``action(db)`` on the configured database; ``announce`` names it (redacted) on stderr.

    ``settings`` when the command has read them already (each read warns about unknown variables).
    """
    from totrackit.db.connect import make_db

    settings = settings or load_settings()

    async def run() -> T:
        db = make_db(settings.database)
        try:
            return await action(db)
        finally:
            await db.dispose()

    if announce:
        click.echo(f"Database: {settings.database.location.redacted()}", err=True)
    return asyncio.run(run())
