"""``totrackit serve`` and ``totrackit api``: run the HTTP server, in one or several processes."""

from __future__ import annotations

import functools
import logging
import socket
import sys
from typing import TYPE_CHECKING, Any

import click

from totrackit.cli.settings import load_settings
from totrackit.observability.logs import configure_logging
from totrackit.server.listen import EXIT_UNAVAILABLE, Address, CannotBind, bind
from totrackit.settings import Settings
from totrackit.ui.routes import STATIC_DIR, ui_built

if TYPE_CHECKING:
    from totrackit.server.supervisor import ProcessReport

logger = logging.getLogger("totrackit.server")

# uvicorn's own wait for open connections once the drain phase is over.
GRACEFUL_SHUTDOWN_SECONDS = 10


def _run(host: str | None, port: int | None, workers: int | None, *, run_engine: bool) -> None:
    # Deadline engine: the all-in-one role runs it in-process; the API role never does.
    overrides = {"host": host, "port": port, "workers": workers, "run_engine": run_engine}
    settings = load_settings(**overrides)
    # Before uvicorn starts, so its own loggers write through the same handler and format.
    configure_logging(settings)
    _warn_without_ui(settings)
    try:
        sys.exit(_start(settings, overrides))
    except CannotBind as error:
        logger.error("%s", error)
        sys.exit(EXIT_UNAVAILABLE)


def _start(settings: Settings, overrides: dict[str, Any]) -> int:
    """Bind the port first (nothing has started if that fails), then serve; the exit status."""
    server = settings.server
    scheme = "https" if server.tls_cert_file else "http"
    if server.workers == 1:
        listener = bind(server.host, server.port)
        address = Address(scheme, server.host, listener.getsockname()[1])
        _serve(settings, sockets=[listener], announce=address)
        return 0
    # Imported here so that light commands (version, migrate current) start fast.
    from totrackit.server.supervisor import run_server_processes

    return run_server_processes(
        functools.partial(_server_process, overrides),
        host=server.host,
        port=server.port,
        count=server.workers,
        stop_timeout=server.shutdown_drain_seconds + GRACEFUL_SHUTDOWN_SECONDS + 5,
        hung_after=server.hung_worker_seconds,
        scheme=scheme,
    )


def _warn_without_ui(settings: Settings) -> None:
    static_dir = settings.server.ui_dir or STATIC_DIR
    if not ui_built(static_dir):
        logger.warning(
            "The web UI is not built into this installation (no %s); the API works, and / "
            "explains this. Build the UI with `make ui` (Node.js 20.19+) in a source checkout, "
            "or point TOTRACKIT_UI_DIR at a built UI.",
            static_dir / "index.html",
        )


def _server_process(
    overrides: dict[str, Any], sockets: list[socket.socket], report: ProcessReport
) -> None:
    """One of several worker processes; spawned afresh, so it reads its settings again."""
    settings = load_settings(**overrides)
    configure_logging(settings)
    _serve(settings, sockets=sockets, report=report)


def _serve(
    settings: Settings,
    *,
    sockets: list[socket.socket],
    report: ProcessReport | None = None,
    announce: Address | None = None,
) -> None:
    # Imported here so that light commands (version, migrate current) start fast.
    from totrackit.app import create_app
    from totrackit.server.protocol import guarded_protocol
    from totrackit.server.serving import serve as serve_draining
    from totrackit.server.watchdog import Watchdog

    app = create_app(settings)
    serve_draining(
        app,
        lifecycle=app.state.lifecycle,
        drain_seconds=settings.server.shutdown_drain_seconds,
        sockets=sockets,
        report=report,
        announce=announce,
        watchdog=Watchdog(settings.server.hung_worker_seconds, lambda: _engine_stall(app)),
        host=settings.server.host,
        port=settings.server.port,
        http=guarded_protocol(
            max_head_bytes=settings.protection.max_header_bytes,
            head_timeout_seconds=settings.protection.header_timeout_seconds,
        ),
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        # X-Forwarded-* are honoured by the application, only from TOTRACKIT_TRUSTED_PROXIES;
        # uvicorn's own handling would trust 127.0.0.1 by default.
        proxy_headers=False,
        server_header=False,
        ssl_certfile=settings.server.tls_cert_file,
        ssl_keyfile=settings.server.tls_key_file,
    )


def _engine_stall(app: Any) -> str | None:
    """The embedded deadline engine's stall, once the app's lifespan has started it."""
    state = getattr(app.state, "totrackit", None)
    heartbeat = getattr(state, "deadline_engine", None)
    if state is None or heartbeat is None:
        return None
    reason: str | None = heartbeat.stall_reason(state.clock.now())
    return reason


_HOST = click.option("--host", help="Address to bind (default TOTRACKIT_HOST or 127.0.0.1).")
_PORT = click.option("--port", type=int, help="Port to listen on (default TOTRACKIT_PORT or 8080).")
_WORKERS = click.option(
    "--workers",
    type=int,
    help="Worker processes sharing the port (default TOTRACKIT_WORKERS or 1; PostgreSQL only).",
)


@click.command()
@_HOST
@_PORT
@_WORKERS
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run everything: API, UI and the deadline engine (in each worker process)."""
    _run(host, port, workers, run_engine=True)


@click.command()
@_HOST
@_PORT
@_WORKERS
def api(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP API only (stateless; scale it horizontally)."""
    _run(host, port, workers, run_engine=False)
