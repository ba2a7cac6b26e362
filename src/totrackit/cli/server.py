"""``totrackit serve`` and ``totrackit api``: run the HTTP server."""

from __future__ import annotations

import logging

import click

from totrackit.cli.settings import load_settings
from totrackit.observability.logs import configure_logging

logger = logging.getLogger("totrackit.server")


def _run(host: str | None, port: int | None, *, run_engine: bool) -> None:
    # Imported here so that light commands (version, migrate current) start fast.
    from totrackit.app import create_app
    from totrackit.web.serving import serve as serve_draining

    # Deadline engine: the all-in-one role runs it in-process; the API role never does.
    settings = load_settings(host=host, port=port, run_engine=run_engine)
    # Before uvicorn starts, so its own loggers write through the same handler and format.
    configure_logging(settings)
    scheme = "https" if settings.tls_cert_file else "http"
    logger.info("ToTrackIt listening on %s://%s:%s", scheme, settings.host, settings.port)
    app = create_app(settings)
    serve_draining(
        app,
        lifecycle=app.state.lifecycle,
        drain_seconds=settings.shutdown_drain_seconds,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=10,
        # X-Forwarded-* are honoured by the application, only from TOTRACKIT_TRUSTED_PROXIES;
        # uvicorn's own handling would trust 127.0.0.1 by default.
        proxy_headers=False,
        server_header=False,
        ssl_certfile=settings.tls_cert_file,
        ssl_keyfile=settings.tls_key_file,
    )


@click.command()
@click.option("--host", help="Address to bind (default TOTRACKIT_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default TOTRACKIT_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run everything in one process: API, UI and the deadline engine."""
    _run(host, port, run_engine=True)


@click.command()
@click.option("--host", help="Address to bind (default TOTRACKIT_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default TOTRACKIT_PORT or 8080).")
def api(host: str | None, port: int | None) -> None:
    """Run the HTTP API only (stateless; scale it horizontally)."""
    _run(host, port, run_engine=False)
