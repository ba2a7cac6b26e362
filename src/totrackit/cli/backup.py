"""``totrackit backup`` and ``totrackit restore``: one consistent file, into either database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from totrackit.cli._db import run_with_db
from totrackit.cli.transfer import quiet_option


def default_name(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"totrackit-backup-{moment}.zip"


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=("File to write (default: totrackit-backup-<UTC time>.zip in --output-dir)."),
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory for backups named by their time.",
)
@quiet_option
def backup(output: Path | None, output_dir: Path, quiet: bool) -> None:
    """Write a consistent backup of every table while the service keeps serving."""
    from totrackit.transfer.backup import take_backup
    from totrackit.transfer.progress import Progress

    target = output or output_dir / default_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    progress = Progress("Backed up", unit="rows", enabled=False if quiet else None)
    manifest = run_with_db(lambda db: take_backup(db, target, progress=progress), announce=True)
    click.echo(
        f"Wrote {target}: {manifest.total_rows} row(s) in {len(manifest.tables)} table(s), "
        f"schema {manifest.schema_revision}.",
        err=True,
    )


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Delete the data already in the target database first.")
@quiet_option
def restore(path: Path, force: bool, quiet: bool) -> None:
    """Restore a backup into an empty database (SQLite or PostgreSQL, whichever made it)."""
    from totrackit.transfer.archive import BadBackup
    from totrackit.transfer.backup import NotEmpty, restore_backup
    from totrackit.transfer.progress import Progress

    enabled = False if quiet else None
    verify = Progress("Verified", unit="rows", enabled=enabled)
    load = Progress("Restored", unit="rows", enabled=enabled)
    try:
        report = run_with_db(
            lambda db: restore_backup(db, path, force=force, verify=verify, load=load),
            announce=True,
        )
    except (BadBackup, NotEmpty) as problem:
        raise click.ClickException(str(problem)) from None
    manifest = report.manifest
    click.echo(
        f"Restored {report.rows} row(s) from {path} (taken {manifest.created_at} on "
        f"{manifest.source_backend}); schema at head.",
        err=True,
    )
