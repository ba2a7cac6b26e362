"""Several HTTP worker processes on one port (``--workers N``, ``TOTRACKIT_WORKERS``).

The supervisor binds the socket once and starts N worker processes that accept on it, each a
complete server with the drain phase of serving.py. It never serves a request itself. It

- points every worker at one metrics directory (observability/multiprocess.py), emptied at
  start, so any worker answers /metrics for all of them;
- replaces a worker that dies, after retiring its metrics files: at once when the worker had
  started serving, with a growing delay while workers die before they manage to (a bad
  certificate, a failing migration), rather than in a tight loop;
- kills a serving worker whose event loop has stopped turning (its heartbeat is older than
  ``hung_after``), so that a deadlocked or blocked process is replaced too;
- passes SIGTERM (drain, then stop) and SIGINT (stop) on to every worker, waits for them and
  exits 0 when they all stopped cleanly.

Workers are started with the ``spawn`` method: a fresh interpreter, with no event loop, thread
or connection inherited from the supervisor. Each runs in its own process group, so that Ctrl-C
in a terminal reaches the supervisor alone and every worker gets the signal exactly once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from pathlib import Path
from types import FrameType
from typing import Any

from totrackit.observability import multiprocess

logger = logging.getLogger("totrackit.supervisor")


@dataclass
class WorkerReport:
    """How a worker tells its supervisor that it serves, and that its event loop still turns."""

    serving_event: Event
    heartbeat: Any  # a shared double: time.monotonic() of the last turn (the clock is system-wide)

    def serving(self) -> None:
        self.serving_event.set()

    def alive(self) -> None:
        self.heartbeat.value = time.monotonic()


# Runs the server on the given listening sockets, reporting through the WorkerReport.
WorkerTarget = Callable[[list[socket.socket], WorkerReport], None]

MAX_RESTART_DELAY_SECONDS = 30.0
# How often the supervisor looks at its workers when nothing wakes it earlier.
POLL_SECONDS = 0.5
# How often a worker checks that its supervisor is still there.
ORPHAN_CHECK_SECONDS = 1.0


@dataclass
class _Slot:
    number: int
    process: BaseProcess | None = None
    report: WorkerReport | None = None
    started_at: float = 0.0
    failed_starts: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    target: WorkerTarget
    sockets: list[socket.socket]
    workers: int
    metrics_directory: Path
    # Longest wait for workers to finish after SIGTERM: their drain time plus uvicorn's own.
    stop_timeout: float
    # A serving worker whose heartbeat is older than this is killed (and then replaced).
    hung_after: float = 30.0
    _slots: list[_Slot] = field(default_factory=list)
    _stop_signal: int | None = None
    _context: multiprocessing.context.SpawnContext = field(
        default_factory=lambda: multiprocessing.get_context("spawn")
    )

    def run(self) -> int:
        """Run the workers until a signal stops them; the exit status of the whole server."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _FORWARDED}
        try:
            self._slots = [_Slot(number, restart_at=0.0) for number in range(self.workers)]
            while self._stop_signal is None:
                self._kill_hung_workers()
                self._replace_dead_workers()
                self._wait_for_change()
            return self._wait_for_stop()
        except BaseException:
            # Never leave workers behind: multiprocessing would wait for them at exit for ever.
            logger.exception("The supervisor failed; stopping the workers")
            self._stop_signal = self._stop_signal or signal.SIGTERM
            self._signal_workers(signal.SIGTERM)
            self._wait_for_stop()
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, sig: int, _frame: FrameType | None) -> None:
        # A second signal is passed on too: the workers then stop at once.
        self._stop_signal = sig
        self._signal_workers(sig)

    def _signal_workers(self, sig: int) -> None:
        for process in self._processes():
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, sig)

    def _kill_hung_workers(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            process, report = slot.process, slot.report
            if process is None or report is None or not report.serving_event.is_set():
                continue  # starting up may take long (migrations): only serving workers beat
            silent = now - report.heartbeat.value
            if silent > self.hung_after and process.is_alive():
                logger.error(
                    "Worker %d (pid %s) has not turned its event loop for %.0fs; killing it",
                    slot.number,
                    process.pid,
                    silent,
                )
                process.kill()

    def _replace_dead_workers(self) -> None:
        # Every dead worker is retired before any is started: a new worker may get the pid of
        # one not yet retired, whose files would then be taken for the dead one's.
        now = time.monotonic()
        for slot in self._slots:
            if slot.process is not None and not slot.process.is_alive():
                self._retire(slot, slot.process, now)
        for slot in self._slots:
            if self._stop_signal is not None:
                return
            if slot.restart_at is not None and slot.restart_at <= now:
                self._start(slot)

    def _start(self, slot: _Slot) -> None:
        report = WorkerReport(
            self._context.Event(), self._context.Value("d", time.monotonic(), lock=False)
        )
        process = self._context.Process(
            target=_worker_main,
            args=(self.target, self.sockets, os.getpid(), report),
            name=f"totrackit-worker-{slot.number}",
        )
        process.start()
        slot.process, slot.report = process, report
        slot.started_at, slot.restart_at = time.monotonic(), None
        logger.info("Started worker %d (pid %s)", slot.number, process.pid)
        if self._stop_signal is not None and process.pid is not None:
            os.kill(process.pid, self._stop_signal)  # the signal came while it was starting

    def _wait_for_change(self) -> None:
        timeout = POLL_SECONDS
        pending = [slot.restart_at for slot in self._slots if slot.restart_at is not None]
        if pending:
            timeout = max(0.0, min(timeout, min(pending) - time.monotonic()))
        wait([process.sentinel for process in self._processes()], timeout=timeout)

    def _retire(self, slot: _Slot, process: BaseProcess, now: float) -> None:
        if process.pid is not None:
            try:
                multiprocess.retire_worker(self.metrics_directory, process.pid)
            except OSError:
                logger.exception("Could not retire the metrics files of pid %s", process.pid)
        served = slot.report is not None and slot.report.serving_event.is_set()
        slot.failed_starts = 0 if served else slot.failed_starts + 1
        delay = restart_delay(slot.failed_starts)
        logger.error(
            "Worker %d (pid %s) exited with %s after %.1fs%s; starting a new one in %.1fs",
            slot.number,
            process.pid,
            _describe_exit(process.exitcode),
            now - slot.started_at,
            "" if served else ", before it served",
            delay,
        )
        slot.process, slot.report, slot.restart_at = None, None, now + delay

    def _wait_for_stop(self) -> int:
        reason = signal.Signals(self._stop_signal).name if self._stop_signal else "stop"
        logger.info("Stopping %d workers (%s)", self.workers, reason)
        deadline = time.monotonic() + self.stop_timeout
        for process in self._processes():
            process.join(max(0.0, deadline - time.monotonic()))
        clean = True
        for process in self._processes():
            if process.is_alive():
                logger.error(
                    "Worker pid %s did not stop in %.0fs; killing it",
                    process.pid,
                    self.stop_timeout,
                )
                process.kill()
                process.join()
            clean = clean and process.exitcode == 0
        return 0 if clean else 1

    def _processes(self) -> list[BaseProcess]:
        return [slot.process for slot in self._slots if slot.process is not None]


_FORWARDED = (signal.SIGTERM, signal.SIGINT)


def restart_delay(failed_starts: int) -> float:
    """No wait after a worker that served; 1, 2, 4 ... 30 s while workers die before serving."""
    if failed_starts == 0:
        return 0.0
    return min(2.0 ** (failed_starts - 1), MAX_RESTART_DELAY_SECONDS)


def run_workers(
    target: WorkerTarget,
    *,
    host: str,
    port: int,
    workers: int,
    stop_timeout: float,
    hung_after: float,
) -> int:
    """Bind ``host:port``, run ``workers`` copies of ``target`` on it, return the exit status."""
    # Imported here: the supervisor needs uvicorn only to bind the socket the way it would.
    import uvicorn

    try:
        directory, owned = _metrics_directory()
        multiprocess.prepare_directory(directory)
    except OSError as error:
        logger.error(
            "Cannot prepare the metrics directory of the workers (%s). Set "
            "PROMETHEUS_MULTIPROC_DIR to a writable directory, or mount one at the temporary "
            "directory (TMPDIR, /tmp).",
            error,
        )
        return 73  # EX_CANTCREAT
    # Inherited by the workers, whose metrics then go to files that any of them can merge.
    os.environ[multiprocess.ENVIRONMENT_VARIABLE] = str(directory)
    # log_config=None: uvicorn's own logging set-up would replace the JSON pipeline here.
    listener = uvicorn.Config(app="", host=host, port=port, log_config=None).bind_socket()
    logger.info("Running %d workers; metrics of all of them in %s", workers, directory)
    supervisor = Supervisor(
        target,
        sockets=[listener],
        workers=workers,
        metrics_directory=directory,
        stop_timeout=stop_timeout,
        hung_after=hung_after,
    )
    try:
        return supervisor.run()
    finally:
        listener.close()
        if owned:
            shutil.rmtree(directory, ignore_errors=True)


def _metrics_directory() -> tuple[Path, bool]:
    """PROMETHEUS_MULTIPROC_DIR when set (kept), else a private temporary one (removed)."""
    configured = os.environ.get(multiprocess.ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured), False
    return Path(tempfile.mkdtemp(prefix="totrackit-metrics-")), True


def _worker_main(
    target: WorkerTarget, sockets: list[socket.socket], supervisor_pid: int, report: WorkerReport
) -> None:
    os.setpgid(0, 0)  # Ctrl-C goes to the supervisor, which passes it on once
    _stop_when_orphaned(supervisor_pid)
    target(sockets, report)


def _stop_when_orphaned(supervisor_pid: int) -> None:
    """Drain and stop if the supervisor disappears (killed -9), instead of holding the port."""

    def watch() -> None:
        while os.getppid() == supervisor_pid:
            time.sleep(ORPHAN_CHECK_SECONDS)
        logger.error("Supervisor (pid %d) is gone; stopping this worker", supervisor_pid)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="totrackit-orphan-watch", daemon=True).start()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {signal.strsignal(-code) or -code}"
    return f"exit code {code}"
