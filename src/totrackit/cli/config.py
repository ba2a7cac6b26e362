"""``totrackit config check``: validate the configuration without starting anything."""

from __future__ import annotations

import click

from totrackit.cli.settings import load_settings


@click.group()
def config() -> None:
    """Inspect the configuration."""


@config.command()
def check() -> None:
    """Validate every TOTRACKIT_* variable; exit 78 listing each problem, else 0."""
    settings = load_settings()
    click.echo("Configuration is valid.")
    click.echo(f"  environment: {settings.env.value}")
    click.echo(f"  database:    {settings.database.location.redacted()}")
    click.echo(f"  listen:      {settings.server.host}:{settings.server.port}")
    click.echo(
        f"  API key:     {'required' if settings.protection.api_key_value else 'not required'}"
    )
