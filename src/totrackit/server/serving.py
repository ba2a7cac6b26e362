"""Running uvicorn with a drain phase: on SIGTERM, readiness turns 503 before the server stops.

Load balancers and Kubernetes stop routing to an instance only after its readiness probe fails;
stopping at once would drop the requests they still send meanwhile. So the first SIGTERM flips
``Lifecycle.draining`` (``/health/ready`` answers 503), keeps serving for the drain time, then
lets uvicorn finish in-flight requests and exit 0. A second signal, or Ctrl-C, stops at once.
"""

from __future__ import annotations

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

if TYPE_CHECKING:
    from totrackit.server.supervisor import ProcessReport

logger = logging.getLogger(__name__)


class DrainingServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        *,
        lifecycle: Lifecycle,
        drain_seconds: float,
        report: ProcessReport | None = None,
    ):
        super().__init__(config)
        self._lifecycle = lifecycle
        self._drain_seconds = drain_seconds
        self._report = report

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self._report is not None:
            self._report.alive()
            self._report.serving()  # the supervisor's sign that this server process came up

    async def on_tick(self, counter: int) -> bool:
        # Every 100 ms while the event loop turns: the supervisor's heartbeat.
        if self._report is not None:
            self._report.alive()
        return await super().on_tick(counter)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM or self._drain_seconds <= 0 or self._lifecycle.draining:
            super().handle_exit(sig, frame)
            return
        self._lifecycle.draining = True
        logger.info("SIGTERM: draining for %.1fs before shutting down", self._drain_seconds)
        timer = threading.Timer(self._drain_seconds, super().handle_exit, (sig, frame))
        timer.daemon = True
        timer.start()

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
    **options: Any,
) -> None:
    """Run ``app`` like ``uvicorn.run(app, **options)``, with the drain phase on SIGTERM.

    A server process of the supervisor passes its already bound ``sockets`` instead of host and port,
    and the ``report`` through which it says that it serves and that its event loop turns.
    """
    server = DrainingServer(
        uvicorn.Config(app, **options),
        lifecycle=lifecycle,
        drain_seconds=drain_seconds,
        report=report,
    )
    server.run(sockets=sockets)
