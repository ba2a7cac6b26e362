"""``totrackit export`` and ``totrackit import``: runs as JSON Lines, in and out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from totrackit.cli._db import run_with_db
from totrackit.cli.settings import load_settings

CHUNK = 1 << 20

quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="No progress line (it is shown only on a terminal anyway)."
)


@click.command("export")
@click.option(
    "--output", "-o", default="-", show_default=True, help="File to write, or - for stdout."
)
@quiet_option
def export(output: str, quiet: bool) -> None:
    """Write every run as JSON Lines (one GET /processes/{name}/{id} body per line)."""
    from totrackit.clock import SystemClock
    from totrackit.transfer.progress import Progress
    from totrackit.transfer.runs import export_runs

    progress = Progress("Exported", enabled=False if quiet else None)
    target = Path(output)
    with _open_output(output) as out:
        count = run_with_db(lambda db: export_runs(db, out, clock=SystemClock(), progress=progress))
    if output != "-":
        click.echo(f"Exported {count} run(s) to {target}.", err=True)


@click.command("import")
@click.argument("source", metavar="PATH|-")
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid lines even when others are rejected."
)
@quiet_option
def import_(source: str, skip_invalid: bool, quiet: bool) -> None:
    """Import runs from a JSON Lines file (the export format); runs already present are skipped.

    Every rejected line is reported with its number and reason; a file with rejected lines
    changes nothing unless --skip-invalid is given.
    """
    from totrackit.transfer.progress import Progress
    from totrackit.transfer.runs import import_runs, parse_jsonl

    settings = load_settings()
    progress = Progress("Read", unit="lines", enabled=False if quiet else None)
    stream = _open_input(source)
    report = run_with_db(
        lambda db: import_runs(
            db,
            parse_jsonl(_chunks(stream, progress)),
            skip_invalid=skip_invalid,
            warning_threshold=settings.deadlines.warning_threshold,
            progress=progress,
        )
    )
    for line, reason in report.problems:
        click.echo(f"line {line}: {reason}", err=True)
    if report.rejected > len(report.problems):
        click.echo(f"... and {report.rejected - len(report.problems)} more", err=True)
    if not report.applied:
        raise click.ClickException(
            f"{report.rejected} of {report.read} line(s) rejected: nothing was imported. Fix "
            "the lines above, or pass --skip-invalid to import the valid ones."
        )
    click.echo(
        f"{report.imported} run(s) imported, {report.skipped} already present, "
        f"{report.rejected} line(s) rejected.",
        err=True,
    )


def _open_input(source: str) -> IO[bytes]:
    if source == "-":
        return sys.stdin.buffer
    try:
        return Path(source).open("rb")
    except OSError as exc:
        raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None


def _chunks(stream: IO[bytes], progress: object) -> Iterator[bytes]:
    from totrackit.transfer.progress import Progress

    assert isinstance(progress, Progress)
    size = _size(stream)
    read = 0
    with stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if size:
                progress.done_fraction = read / size
            yield chunk


def _size(stream: IO[bytes]) -> int | None:
    try:
        return Path(stream.name).stat().st_size if stream is not sys.stdin.buffer else None
    except (OSError, TypeError):
        return None


class _open_output:
    def __init__(self, output: str) -> None:
        self._output = output
        self._file: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if self._output == "-":
            return sys.stdout.buffer
        try:
            self._file = Path(self._output).open("wb")
        except OSError as exc:
            raise click.ClickException(f"cannot write {self._output}: {exc.strerror}") from None
        return self._file

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
