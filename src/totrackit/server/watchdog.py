"""A server process that can no longer do its work exits, so that something restarts it.

Docker restarts a container whose process exited, but not one that is merely unhealthy, and a
Kubernetes liveness probe is only as good as the process answering it. So each server process
watches itself from a thread of its own: when its event loop has not turned for ``limit``
seconds (blocked by a CPU-bound call, a deadlock, a synchronous driver call that hangs), or its
progress check has failed for that long (the deadline engine completing no scan), it logs why
and exits with status 70 (EX_SOFTWARE). The restart policy of every compose file, the
Kubernetes kubelet, or, with ``--workers``, the supervisor then starts a fresh one.

A thread still runs while the event loop is blocked; a process stopped by SIGSTOP runs neither,
which the supervisor's own check covers for ``--workers`` (server/supervisor.py).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("totrackit.server")

EXIT_STALLED = 70  # EX_SOFTWARE, from sysexits.h

#: Returns why the process makes no progress (its liveness would fail), or None while it does.
ProgressCheck = Callable[[], str | None]


class Watchdog:
    def __init__(
        self,
        limit: float,
        progress: ProgressCheck | None = None,
        *,
        exit_process: Callable[[int], object] = os._exit,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self._progress = progress
        self._exit = exit_process
        self._monotonic = monotonic
        self._last_turn = monotonic()
        self._failing_since: float | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """Called from the event loop on every turn of the server's tick (every 100 ms)."""
        self._last_turn = self._monotonic()

    def start(self) -> None:
        self._last_turn = self._monotonic()
        self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def check(self) -> str | None:
        """Why the process should exit now, or None. One look; the thread looks every tenth of
        the limit."""
        now = self._monotonic()
        silent = now - self._last_turn
        if silent > self.limit:
            return f"its event loop has not turned for {silent:.1f}s"
        problem = self._progress() if self._progress is not None else None
        if problem is None:
            self._failing_since = None
            return None
        if self._failing_since is None:
            self._failing_since = now
        if now - self._failing_since > self.limit:
            return f"{problem} (for {now - self._failing_since:.1f}s)"
        return None

    def _watch(self) -> None:
        interval = min(max(self.limit / 10, 0.1), 1.0)
        while not self._stopped.wait(interval):
            reason = self.check()
            if reason is not None:
                logger.critical(
                    "Exiting with status %d so that it is restarted: %s", EXIT_STALLED, reason
                )
                for handler in logging.getLogger().handlers:
                    handler.flush()
                self._exit(EXIT_STALLED)
                return
