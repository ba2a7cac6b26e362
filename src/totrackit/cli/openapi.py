"""``totrackit openapi``: print the app's OpenAPI document, the one source of the wire format."""

from __future__ import annotations

import json
from pathlib import Path

import click

from totrackit.cli.settings import load_settings


def render_openapi() -> str:
    """The document ``GET /openapi.json`` serves, as sorted, indented JSON ending in a newline."""
    # Imported here so that light commands (version, migrate current) start fast.
    from totrackit.app import create_app

    # Building the app opens nothing: the database and clients open in its lifespan.
    app = create_app(load_settings())
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the document to this file instead of standard output.",
)
def openapi(output: Path | None) -> None:
    """Print the OpenAPI document of the HTTP API as sorted JSON."""
    text = render_openapi()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
