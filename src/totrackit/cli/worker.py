"""``totrackit worker``: run the deadline engine alone (scale it to any number of replicas)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from totrackit.cli.settings import load_settings
from totrackit.server.listen import EXIT_UNAVAILABLE, CannotBind, bind

logger = logging.getLogger("totrackit.deadlines.app")


@click.command()
@click.option("--host", help="Address of the health listener (default TOTRACKIT_HOST).")
@click.option(
    "--port", type=int, help="Port of the health listener (default TOTRACKIT_WORKER_PORT)."
)
def worker(host: str | None, port: int | None) -> None:
    """Run the deadline scanner and webhook delivery, with a health and metrics listener."""
    # Imported here so that light commands (version, migrate current) start fast.
    from totrackit.deadlines.app import create_worker_app
    from totrackit.lifecycle import Lifecycle
    from totrackit.observability.logs import configure_logging
    from totrackit.server.serving import serve as serve_draining
    from totrackit.server.watchdog import Watchdog

    settings = load_settings(host=host, worker_port=port)
    # The same JSON/console pipeline, levels and redaction as the API processes.
    configure_logging(settings)
    # The port first, as `serve` does: when it is taken, no deadline engine has started yet.
    try:
        listener = bind(
            settings.server.host,
            settings.deadlines.worker_port,
            port_variable="TOTRACKIT_WORKER_PORT",
        )
    except CannotBind as error:
        logger.error("%s", error)
        sys.exit(EXIT_UNAVAILABLE)
    logger.info(
        "ToTrackIt worker health on http://%s:%s",
        settings.server.host,
        listener.getsockname()[1],
    )
    app = create_worker_app(settings)
    serve_draining(
        app,
        lifecycle=Lifecycle(ready=True),
        drain_seconds=0,  # nothing routes traffic to a worker: it stops at once
        sockets=[listener],
        watchdog=Watchdog(settings.server.hung_worker_seconds, lambda: _engine_stall(app)),
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=10,
        server_header=False,
    )


def _engine_stall(app: Any) -> str | None:
    """Why the engine makes no progress, once the worker's lifespan has started it."""
    state = getattr(app.state, "worker", None)
    if state is None:
        return None
    reason: str | None = state.deadlines.heartbeat.stall_reason(state.clock.now())
    return reason
