"""``totrackit migrate``: apply, revert and inspect database migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from totrackit.cli.settings import load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


def _with_engine(action: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    from totrackit.db.engine import make_engine

    settings = load_settings()

    async def run() -> T:
        engine = make_engine(settings)
        try:
            return await action(engine)
        finally:
            await engine.dispose()

    click.echo(f"Database: {settings.database.redacted()}", err=True)
    return asyncio.run(run())


@click.group()
def migrate() -> None:
    """Manage the database schema."""


@migrate.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from totrackit.db import migrate as migrations

    _with_engine(lambda engine: migrations.upgrade(engine, revision))
    click.echo(f"Upgraded to {revision}.")


@migrate.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1, or base for an empty schema)."""
    from totrackit.db import migrate as migrations

    _with_engine(lambda engine: migrations.downgrade(engine, revision))
    click.echo(f"Downgraded to {revision}.")


@migrate.command()
def current() -> None:
    """Show the revision the database is at, and the newest one available."""
    from totrackit.db import migrate as migrations

    revision = _with_engine(migrations.current_revision)
    click.echo(f"current: {revision or 'none (empty schema)'}")
    click.echo(f"head:    {migrations.head_revision()}")
