"""``totrackit seed``: fill a database with realistic sample runs, to look at or to measure."""

from __future__ import annotations

import click

from totrackit.cli._db import run_with_db
from totrackit.cli.settings import load_settings

EXIT_REFUSED = 1


@click.command()
@click.option("--runs", type=click.IntRange(1), required=True, help="How many runs to generate.")
@click.option(
    "--names",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="How many process names the runs are spread over.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=7,
    show_default=True,
    help="The runs started within this many days before now.",
)
@click.option("--seed", "seed_value", type=int, default=42, show_default=True, help="Random seed.")
@click.option("--force", is_flag=True, help="Delete the runs the database holds, then seed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line (shown only on a terminal).")
def seed(runs: int, names: int, days: int, seed_value: int, force: bool, quiet: bool) -> None:
    """Fill the configured database with sample runs (deadlines met, missed and open).

    The runs carry tags, failures and a spread of durations over the last days. A database
    that already holds runs is refused unless --force is given, which deletes them first.
    PostgreSQL loads millions of runs a minute.
    """
    from datetime import UTC, datetime

    from totrackit.demo import generator
    from totrackit.demo.seeder import AlreadyHoldsRuns
    from totrackit.demo.seeder import seed as seed_runs
    from totrackit.transfer.progress import Progress

    settings = load_settings()
    where = settings.database.location.redacted()
    shape = generator.Shape(
        names=generator.names(names),
        days=days,
        warning_threshold=settings.deadlines.warning_threshold,
    )
    progress = Progress("Seeded", total=runs, enabled=False if quiet else None)

    def indexing(count: int) -> None:
        progress.finish()
        if count:
            click.echo(f"Building {count} indexes...", err=True)

    try:
        done = run_with_db(
            lambda db: seed_runs(
                db,
                runs=runs,
                shape=shape,
                now=datetime.now(UTC),
                force=force,
                seed_value=seed_value,
                progress=progress.advance,
                indexing=indexing,
            ),
            settings=settings,
        )
    except AlreadyHoldsRuns as refused:
        raise click.ClickException(
            f"The database at {where} already holds {refused.count:,} runs; nothing was "
            "changed. Seeding replaces every run: run again with --force to delete them and "
            "seed, or point TOTRACKIT_DATABASE_URL (or TOTRACKIT_DATA_DIR) at an empty database."
        ) from None
    replaced = f" (replaced {done.replaced:,} runs)" if done.replaced else ""
    click.echo(
        f"Seeded {done.runs:,} runs ({done.rows:,} rows) into {where} in {done.seconds:.1f}s"
        f"{replaced}: {done.rows_per_second:,.0f} rows/s, {done.runs / done.seconds:,.0f} runs/s."
    )
