"""Running uvicorn with a drain phase: on SIGTERM, readiness turns 503 before the server stops.

Load balancers and Kubernetes stop routing to an instance only after its readiness probe fails;
stopping at once would drop the requests they still send meanwhile. So the first SIGTERM flips
``Lifecycle.draining`` (``/health/ready`` answers 503), keeps serving for the drain time, then
lets uvicorn finish in-flight requests and exit 0. A second signal, or Ctrl-C, stops at once.

A server process whose supervisor has disappeared (``kill -9``) stops listening first, so that a
new server can bind the port at once, and then drains like on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

import uvicorn

from totrackit.lifecycle import Lifecycle
from totrackit.server.listen import Address, banner
from totrackit.server.watchdog import Watchdog

if TYPE_CHECKING:
    from totrackit.server.supervisor import ProcessReport

logger = logging.getLogger("totrackit.server")


class DrainingServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        *,
        lifecycle: Lifecycle,
        drain_seconds: float,
        report: ProcessReport | None = None,
        announce: Address | None = None,
        watchdog: Watchdog | None = None,
    ):
        super().__init__(config)
        self._lifecycle = lifecycle
        self._drain_seconds = drain_seconds
        self._report = report
        self._announce = announce
        self._watchdog = watchdog
        self._loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)
        if not self.started:
            return
        if self._watchdog is not None:
            self._watchdog.start()
        if self._announce is not None:
            message = banner(self._announce)
            logger.info(message)
        if self._report is not None:
            self._report.alive()
            self._report.serving()  # the supervisor's sign that this server process came up
            if self._report.orphaned:  # the supervisor died while this process started
                self._stop_listening()

    async def on_tick(self, counter: int) -> bool:
        # Every 100 ms while the event loop turns: the supervisor's heartbeat and the watchdog's.
        if self._report is not None:
            self._report.alive()
        if self._watchdog is not None:
            self._watchdog.beat()
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._watchdog is not None:
            self._watchdog.stop()  # a long graceful shutdown is not a stall
        await super().shutdown(sockets=sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._report is not None and self._report.orphaned and self._loop is not None:
            # From the event loop, not this signal handler, which may interrupt the loop's own code.
            self._loop.call_soon_threadsafe(self._stop_listening)
        if sig != signal.SIGTERM or self._drain_seconds <= 0 or self._lifecycle.draining:
            super().handle_exit(sig, frame)
            return
        self._lifecycle.draining = True
        logger.info("SIGTERM: draining for %.1fs before shutting down", self._drain_seconds)
        timer = threading.Timer(self._drain_seconds, super().handle_exit, (sig, frame))
        timer.daemon = True
        timer.start()

    def _stop_listening(self) -> None:
        """Close the listening sockets (the port is free once every holder closed them);
        connections already accepted are served on."""
        for server in getattr(self, "servers", []):
            server.close()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            # uvicorn re-raises the signals it caught once it has stopped, so the process dies
            # "by SIGTERM"; a drained, graceful stop is a success, so exit 0 instead.
            self._captured_signals.clear()


def serve(
    app: Any,
    *,
    lifecycle: Lifecycle,
    drain_seconds: float,
    sockets: list[socket.socket] | None = None,
    report: ProcessReport | None = None,
    announce: Address | None = None,
    watchdog: Watchdog | None = None,
    **options: Any,
) -> None:
    """Run ``app`` like ``uvicorn.run(app, **options)``, with the drain phase on SIGTERM.

    ``sockets`` are already bound (server/listen.py). A server process of the supervisor passes
    the ``report`` through which it says that it serves and that its event loop turns; the
    single server passes the ``announce`` address, logged once it accepts connections. The
    ``watchdog`` (server/watchdog.py) starts once the server serves.
    """
    server = DrainingServer(
        uvicorn.Config(app, **options),
        lifecycle=lifecycle,
        drain_seconds=drain_seconds,
        report=report,
        announce=announce,
        watchdog=watchdog,
    )
    server.run(sockets=sockets)
