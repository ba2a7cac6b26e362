"""Loading settings for a command: every problem reported at once, each with its fix."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from totrackit.settings import FIELDS_BY_NAME, GROUPS, Settings
from totrackit.settings.sources import is_secret, variable

# EX_CONFIG from sysexits.h: the conventional exit status for a configuration error.
EXIT_CONFIG = 78
DOCS = "docs/configuration.md"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment (plus command-line overrides) or exit with 78."""
    try:
        settings = Settings.from_environment(**overrides)
    except ValidationError as exc:
        report_and_exit(exc)
    for unknown in Settings.unknown_variables():
        click.echo(f"Warning: {unknown} is not a ToTrackIt setting; it is ignored.", err=True)
    return settings


def describe_problems(exc: ValidationError) -> list[str]:
    """One block per problem: the variable, what is wrong with it, what is expected, where to read."""
    lines = []
    for error in exc.errors(include_url=False):
        name, inner = _setting_of(error["loc"])
        info = FIELDS_BY_NAME.get(name)
        key = variable(name) + inner if info else "settings"
        shown = "" if info is None or is_secret(info) or inner else _shown(error.get("input"))
        lines.append(f"  {key}{shown}: {_reason(error['msg'])}")
        if info is not None and info.description:
            lines.append(f"      expected: {info.description}")
        if info is not None:
            lines.append(f"      see: {DOCS} ({variable(name)})")
    return lines


def report_and_exit(exc: ValidationError) -> NoReturn:
    count = exc.error_count()
    click.echo(
        f"Configuration error: {count} problem{'s' if count != 1 else ''}; nothing was started.",
        err=True,
    )
    for line in describe_problems(exc):
        click.echo(line, err=True)
    sys.exit(EXIT_CONFIG)


def _setting_of(loc: tuple[int | str, ...]) -> tuple[str, str]:
    """The public setting an error is about, and the place inside its value (``[0].url``)."""
    parts = list(loc[1:] if loc and loc[0] in GROUPS else loc)
    name = str(parts.pop(0)) if parts else ""
    inner = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)
    return name, inner


def _shown(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value)
    return f"={text[:60]!r}"


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")
