"""The ``totrackit`` command."""

from __future__ import annotations

import click

from totrackit import __version__
from totrackit.cli.backup import backup, restore
from totrackit.cli.config import config
from totrackit.cli.doctor import doctor
from totrackit.cli.help import whole_summaries
from totrackit.cli.migrate import migrate
from totrackit.cli.openapi import openapi
from totrackit.cli.seed import seed
from totrackit.cli.server import api, serve
from totrackit.cli.transfer import export, import_
from totrackit.cli.webhooks import webhooks
from totrackit.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The same text as `totrackit version`: the installed package's version.
@click.version_option(__version__, "-V", "--version", message="%(version)s")
def cli() -> None:
    """ToTrackIt: deadline tracking for asynchronous business processes."""


@cli.command()
def version() -> None:
    """Print the ToTrackIt version."""
    click.echo(__version__)


cli.add_command(serve)
cli.add_command(api)
cli.add_command(migrate)
cli.add_command(worker)
cli.add_command(webhooks)
cli.add_command(config)
cli.add_command(openapi)
cli.add_command(seed)
cli.add_command(export)
cli.add_command(import_)
cli.add_command(backup)
cli.add_command(restore)
# Last, once every command is added.
cli.add_command(doctor)
# Last, so it covers every command above.
whole_summaries(cli)
