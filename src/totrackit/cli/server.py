"""``totrackit serve`` and ``totrackit api``: run the HTTP server."""

from __future__ import annotations

import logging

import click

from totrackit.cli.settings import load_settings


def _run(host: str | None, port: int | None) -> None:
    # Imported here so that light commands (version, migrate current) start fast.
    import uvicorn

    from totrackit.app import create_app

    settings = load_settings(host=host, port=port)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    click.echo(f"ToTrackIt listening on http://{settings.host}:{settings.port}")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=10,
    )


@click.command()
@click.option("--host", help="Address to bind (default TOTRACKIT_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default TOTRACKIT_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run everything in one process: API, UI and the deadline engine."""
    _run(host, port)


@click.command()
@click.option("--host", help="Address to bind (default TOTRACKIT_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default TOTRACKIT_PORT or 8080).")
def api(host: str | None, port: int | None) -> None:
    """Run the HTTP API only (stateless; scale it horizontally)."""
    _run(host, port)
