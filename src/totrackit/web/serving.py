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
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import uvicorn

from totrackit.lifecycle import Lifecycle

logger = logging.getLogger(__name__)


class DrainingServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        *,
        lifecycle: Lifecycle,
        drain_seconds: float,
        on_started: Callable[[], None] | None = None,
    ):
        super().__init__(config)
        self._lifecycle = lifecycle
        self._drain_seconds = drain_seconds
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self._on_started is not None:
            self._on_started()  # the supervisor's sign that this worker came up

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
    on_started: Callable[[], None] | None = None,
    **options: Any,
) -> None:
    """Run ``app`` like ``uvicorn.run(app, **options)``, with the drain phase on SIGTERM.

    A worker of the supervisor passes its already bound ``sockets`` instead of host and port,
    and ``on_started``, called once the server accepts requests.
    """
    server = DrainingServer(
        uvicorn.Config(app, **options),
        lifecycle=lifecycle,
        drain_seconds=drain_seconds,
        on_started=on_started,
    )
    server.run(sockets=sockets)
