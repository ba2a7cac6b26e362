"""Command lists in ``--help`` that show each command's whole summary.

click shortens a command's description to what fits beside its name and stops at the first
period, so lists read "Run everything: API, UI and the deadline engine (in each..." and
"Revert migrations down to REVISION (e.g.". Giving every command its first docstring paragraph
as ``short_help`` makes click wrap it instead.
"""

from __future__ import annotations

import inspect

import click


def summary(command: click.Command) -> str:
    """The first paragraph of the command's help, on one line."""
    paragraph = inspect.cleandoc(command.help or "").split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def whole_summaries(group: click.Group) -> None:
    """Give every command under ``group`` (recursively) its whole summary in help lists."""
    for command in group.commands.values():
        if not command.short_help:
            command.short_help = summary(command)
        if isinstance(command, click.Group):
            whole_summaries(command)
