"""Loading settings for a command, with every problem reported at once."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from totrackit.settings import Settings

# EX_CONFIG from sysexits.h: the conventional exit status for a configuration error.
EXIT_CONFIG = 78


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment (plus command-line overrides) or exit with 78."""
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as exc:
        _fail(exc)


def _fail(exc: ValidationError) -> NoReturn:
    click.echo(f"Configuration error: {exc.error_count()} problem(s)", err=True)
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        variable = f"TOTRACKIT_{field.upper()}" if field != "settings" else "settings"
        click.echo(f"  {variable}: {error['msg']}", err=True)
    sys.exit(EXIT_CONFIG)
