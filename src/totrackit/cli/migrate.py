"""``totrackit migrate``: apply, revert, inspect and write database migrations."""

from __future__ import annotations

import asyncio

import click

from totrackit.cli._db import run_with_db


@click.group()
def migrate() -> None:
    """Manage the database schema."""


@migrate.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from totrackit.cli.settings import load_settings
    from totrackit.db import migrate as migrations
    from totrackit.settings.database_url import Backend
    from totrackit.transfer.backup import backup_before_upgrade

    database = load_settings().database
    wanted = database.migration_backup
    if wanted is None:
        wanted = database.location.backend is Backend.SQLITE
    backup = None
    if wanted:
        directory = database.data_dir / "backups"
        directory.mkdir(parents=True, exist_ok=True)
        backup = run_with_db(lambda db: backup_before_upgrade(db, directory, revision=revision))
        if backup is not None:
            click.echo(f"Backed up the data before migrating: {backup}", err=True)
    try:
        run_with_db(lambda db: migrations.upgrade(db, revision), announce=True)
    except Exception as exc:
        where = (
            f"; if it was changed, restore {backup} with `totrackit restore --force`"
            if backup
            else ""
        )
        raise click.ClickException(
            f"the migration failed and was rolled back ({type(exc).__name__}: {exc}){where}"
        ) from None
    click.echo(f"Upgraded to {revision}.")


@migrate.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1, or base for an empty schema)."""
    from totrackit.db import migrate as migrations

    run_with_db(lambda db: migrations.downgrade(db, revision), announce=True)
    click.echo(f"Downgraded to {revision}.")


@migrate.command()
def current() -> None:
    """Show the revision the database is at, and the newest one available."""
    from totrackit.db import migrate as migrations

    revision = run_with_db(migrations.current_revision, announce=True)
    click.echo(f"current: {revision or 'none (empty schema)'}")
    click.echo(f"head:    {migrations.head_revision()}")


@migrate.command()
@click.option("-m", "--message", required=True, help="What the revision changes, in a few words.")
@click.option(
    "--autogenerate",
    is_flag=True,
    help="Fill it with the operations from the configured database (at head) to db/tables.py.",
)
@click.option(
    "--phase",
    type=click.Choice(["expand", "contract"]),
    default="expand",
    show_default=True,
    help="expand only adds; contract removes or changes what the previous release still uses "
    "(ship it one release after the code stopped using it).",
)
def revision(message: str, autogenerate: bool, phase: str) -> None:
    """Write a new migration file after the newest one (review it before committing)."""
    from totrackit.db import migrate as migrations

    try:
        if autogenerate:
            path = run_with_db(
                lambda db: migrations.new_revision(db, message, phase), announce=True
            )
        else:
            path = asyncio.run(migrations.new_revision(None, message, phase))
    except migrations.NotAtHead as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path}")


@migrate.command()
def check() -> None:
    """Fail when db/tables.py and the migrations disagree (run on a database at head)."""
    from totrackit.db import migrate as migrations

    try:
        drift = run_with_db(migrations.check, announce=True)
    except migrations.NotAtHead as error:
        raise click.ClickException(str(error)) from None
    if drift:
        for difference in drift:
            click.echo(f"  {difference}", err=True)
        raise click.ClickException(
            f"{len(drift)} difference(s) between db/tables.py and the migrations: "
            "write a revision with `totrackit migrate revision --autogenerate -m MSG`"
        )
    click.echo(f"No drift: db/tables.py matches the migrations at {migrations.head_revision()}.")
