"""Loading settings for a command: every problem reported at once, each with its fix."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from totrackit.settings import Settings
from totrackit.settings_sources import is_secret

# EX_CONFIG from sysexits.h: the conventional exit status for a configuration error.
EXIT_CONFIG = 78
DOCS = "docs/configuration.md"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment (plus command-line overrides) or exit with 78."""
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as exc:
        report_and_exit(exc)


def describe_problems(exc: ValidationError) -> list[str]:
    """One block per problem: the variable, what is wrong with it, what is expected, where to read."""
    lines = []
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else ""
        info = Settings.model_fields.get(field)
        variable = f"TOTRACKIT_{field.upper()}" if info else "settings"
        shown = "" if info is None or is_secret(info) else _shown(error.get("input"))
        lines.append(f"  {variable}{shown}: {_reason(error['msg'])}")
        if info is not None and info.description:
            lines.append(f"      expected: {info.description}")
        lines.append(f"      see: {DOCS} ({variable})")
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


def _shown(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value)
    return f"={text[:60]!r}"


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")
