"""Several HTTP server processes on one port (``--workers N``, ``TOTRACKIT_WORKERS``).

The supervisor binds the socket once and starts N server processes that accept on it, each a
complete server with the drain phase of serving.py. It never serves a request itself. It

- points every server process at one metrics directory (observability/multiprocess.py), emptied at
  start, so any server process answers /metrics for all of them;
- replaces a server process that dies, after retiring its metrics files: at once when the server process had
  started serving, with a growing delay while workers die before they manage to (a bad
  certificate, a failing migration), rather than in a tight loop;
- kills a serving process whose event loop has stopped turning (its heartbeat is older than
  ``hung_after``), so that a deadlocked or blocked process is replaced too;
- passes SIGTERM (drain, then stop) and SIGINT (stop) on to every server process, waits for them and
  exits 0 when they all stopped cleanly;
- logs the start banner once, when the first server process accepts connections.

A server process whose supervisor dies (``kill -9``) learns it at once from multiprocessing's
parent sentinel, closes its listening socket so that a restarted server can bind the port, and
drains.

Server processes are started with the ``spawn`` method: a fresh interpreter, with no event loop, thread
or connection inherited from the supervisor. Each runs in its own process group, so that Ctrl-C
in a terminal reaches the supervisor alone and every server process gets the signal exactly once.
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
from totrackit.server.listen import Address, banner, bind

logger = logging.getLogger("totrackit.supervisor")


@dataclass
class ProcessReport:
    """How a server process tells its supervisor that it serves, and that its event loop still turns."""

    serving_event: Event
    heartbeat: Any  # a shared double: time.monotonic() of the last turn (the clock is system-wide)
    #: Set inside the server process when its supervisor is gone: stop listening, then drain.
    orphaned: bool = False

    def serving(self) -> None:
        self.serving_event.set()

    def alive(self) -> None:
        self.heartbeat.value = time.monotonic()


# Runs the server on the given listening sockets, reporting through the ProcessReport.
ServeTarget = Callable[[list[socket.socket], ProcessReport], None]

MAX_RESTART_DELAY_SECONDS = 30.0
# How often the supervisor looks at its server processes when nothing wakes it earlier.
POLL_SECONDS = 0.5


@dataclass
class _Slot:
    number: int
    process: BaseProcess | None = None
    report: ProcessReport | None = None
    started_at: float = 0.0
    failed_starts: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    target: ServeTarget
    sockets: list[socket.socket]
    count: int
    metrics_directory: Path
    # Longest wait for server processes to finish after SIGTERM: their drain time plus uvicorn's own.
    stop_timeout: float
    # A serving process whose heartbeat is older than this is killed (and then replaced).
    hung_after: float = 30.0
    # Where the server processes serve, for the banner logged once the first one accepts.
    announce: Address | None = None
    _slots: list[_Slot] = field(default_factory=list)
    _stop_signal: int | None = None
    _context: multiprocessing.context.SpawnContext = field(
        default_factory=lambda: multiprocessing.get_context("spawn")
    )

    def run(self) -> int:
        """Run the server processes until a signal stops them; the exit status of the whole server."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _FORWARDED}
        try:
            self._slots = [_Slot(number, restart_at=0.0) for number in range(self.count)]
            while self._stop_signal is None:
                self._kill_hung_processes()
                self._replace_dead_processes()
                self._wait_for_change()
                self._announce_once_serving()
            return self._wait_for_stop()
        except BaseException:
            # Never leave server processes behind: multiprocessing would wait for them at exit for ever.
            logger.exception("The supervisor failed; stopping the server processes")
            self._stop_signal = self._stop_signal or signal.SIGTERM
            self._signal_all(signal.SIGTERM)
            self._wait_for_stop()
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, sig: int, _frame: FrameType | None) -> None:
        # A second signal is passed on too: the server processes then stop at once.
        self._stop_signal = sig
        self._signal_all(sig)

    def _signal_all(self, sig: int) -> None:
        for process in self._processes():
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, sig)

    def _kill_hung_processes(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            process, report = slot.process, slot.report
            if process is None or report is None or not report.serving_event.is_set():
                continue  # starting up may take long (migrations): only serving processes beat
            silent = now - report.heartbeat.value
            if silent > self.hung_after and process.is_alive():
                logger.error(
                    "Server process %d (pid %s) has not turned its event loop for %.0fs; killing it",
                    slot.number,
                    process.pid,
                    silent,
                )
                process.kill()

    def _replace_dead_processes(self) -> None:
        # Every dead server process is retired before any is started: a new server process may get the pid of
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
        report = ProcessReport(
            self._context.Event(), self._context.Value("d", time.monotonic(), lock=False)
        )
        process = self._context.Process(
            target=_server_process_main,
            args=(self.target, self.sockets, os.getpid(), report),
            name=f"totrackit-server-{slot.number}",
        )
        process.start()
        slot.process, slot.report = process, report
        slot.started_at, slot.restart_at = time.monotonic(), None
        logger.info("Started server process %d (pid %s)", slot.number, process.pid)
        if self._stop_signal is not None and process.pid is not None:
            os.kill(process.pid, self._stop_signal)  # the signal came while it was starting

    def _wait_for_change(self) -> None:
        timeout = POLL_SECONDS
        pending = [slot.restart_at for slot in self._slots if slot.restart_at is not None]
        if pending:
            timeout = max(0.0, min(timeout, min(pending) - time.monotonic()))
        wait([process.sentinel for process in self._processes()], timeout=timeout)

    def _announce_once_serving(self) -> None:
        if self.announce is None:
            return
        if any(slot.report and slot.report.serving_event.is_set() for slot in self._slots):
            message = banner(self.announce, processes=self.count)
            logging.getLogger("totrackit.server").info(message)
            self.announce = None

    def _retire(self, slot: _Slot, process: BaseProcess, now: float) -> None:
        if process.pid is not None:
            try:
                multiprocess.retire_process(self.metrics_directory, process.pid)
            except OSError:
                logger.exception("Could not retire the metrics files of pid %s", process.pid)
        served = slot.report is not None and slot.report.serving_event.is_set()
        slot.failed_starts = 0 if served else slot.failed_starts + 1
        delay = restart_delay(slot.failed_starts)
        logger.error(
            "Server process %d (pid %s) exited with %s after %.1fs%s; starting a new one in %.1fs",
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
        logger.info("Stopping %d server processes (%s)", self.count, reason)
        deadline = time.monotonic() + self.stop_timeout
        for process in self._processes():
            process.join(max(0.0, deadline - time.monotonic()))
        clean = True
        for process in self._processes():
            if process.is_alive():
                logger.error(
                    "Server process pid %s did not stop in %.0fs; killing it",
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
    """No wait after a server process that served; 1, 2, 4 ... 30 s while server processes die before serving."""
    if failed_starts == 0:
        return 0.0
    return min(2.0 ** (failed_starts - 1), MAX_RESTART_DELAY_SECONDS)


def run_server_processes(
    target: ServeTarget,
    *,
    host: str,
    port: int,
    count: int,
    stop_timeout: float,
    hung_after: float,
    scheme: str = "http",
) -> int:
    """Bind ``host:port``, run ``count`` copies of ``target`` on it, return the exit status.

    Raises ``CannotBind`` (before anything starts) when the port cannot be bound.
    """
    listener = bind(host, port)
    try:
        directory, owned = _metrics_directory()
        multiprocess.prepare_directory(directory)
    except OSError as error:
        logger.error(
            "Cannot prepare the metrics directory of the server processes (%s). Set "
            "PROMETHEUS_MULTIPROC_DIR to a writable directory, or mount one at the temporary "
            "directory (TMPDIR, /tmp).",
            error,
        )
        listener.close()
        return 73  # EX_CANTCREAT
    # Inherited by the server processes, whose metrics then go to files that any of them can merge.
    os.environ[multiprocess.ENVIRONMENT_VARIABLE] = str(directory)
    logger.info("Running %d server processes; metrics of all of them in %s", count, directory)
    supervisor = Supervisor(
        target,
        sockets=[listener],
        count=count,
        metrics_directory=directory,
        stop_timeout=stop_timeout,
        hung_after=hung_after,
        announce=Address(scheme, host, listener.getsockname()[1]),
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


def _server_process_main(
    target: ServeTarget, sockets: list[socket.socket], supervisor_pid: int, report: ProcessReport
) -> None:
    os.setpgid(0, 0)  # Ctrl-C goes to the supervisor, which passes it on once
    _stop_when_orphaned(supervisor_pid, report)
    target(sockets, report)


def _stop_when_orphaned(supervisor_pid: int, report: ProcessReport) -> None:
    """Stop listening and drain if the supervisor disappears (``kill -9``): a restarted server
    must be able to bind the port at once, not after the drain."""
    parent = multiprocessing.parent_process()
    assert parent is not None  # a spawned server process always has its supervisor as parent

    def watch() -> None:
        # The sentinel becomes readable when the supervisor's end of a pipe closes: at its death.
        wait([parent.sentinel])
        logger.error("Supervisor (pid %d) is gone; stopping this server process", supervisor_pid)
        report.orphaned = True
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="totrackit-orphan-watch", daemon=True).start()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {signal.strsignal(-code) or -code}"
    return f"exit code {code}"
