"""A PostgreSQL server of a test's own, which the test may stop, kill -9, freeze and start again.

The session's shared server (tests/conftest.py) must never go down under other tests, so fault
tests get their own: the ``pgserver`` wheel's binaries on a data directory of the test's, the
postmaster run directly (not through pg_ctl) in a process group of its own, so ``kill()`` takes
the postmaster and every backend at once, as an out-of-memory kill or a container kill would.
It listens on one fixed TCP port for its whole life, so clients reconnect to the same address.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.support.servers import free_port


def _pgserver_binaries() -> tuple[Path, str | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns on CI machines
        import pgserver
        from pgserver._commands import POSTGRES_BIN_PATH
    del pgserver
    # PostgreSQL refuses to run as root; pgserver creates an unprivileged user for that case.
    return POSTGRES_BIN_PATH, ("pgserver" if os.geteuid() == 0 else None)


@dataclass
class PostgresServer:
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"postgres-{self.port}.log"

    def initialise(self) -> None:
        """A fresh cluster: pgserver's own set-up (the user, permissions, initdb), then its
        server stopped again, so this object starts and stops the postmaster from here on."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
        server = pgserver.get_server(self.data_dir, cleanup_mode=None)
        bin_path, user = _pgserver_binaries()
        subprocess.run(
            [str(bin_path / "pg_ctl"), "-D", str(self.data_dir), "-w", "-m", "fast", "stop"],
            user=user,
            check=True,
            capture_output=True,
            timeout=60,
        )
        del server

    def start(self) -> None:
        bin_path, user = _pgserver_binaries()
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)  # left by a kill -9
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(bin_path / "postgres"),
                    "-D",
                    str(self.data_dir),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    "",
                    # Durable as in production: a commit is on disk before it is acknowledged.
                    "-c",
                    "fsync=on",
                    "-c",
                    "synchronous_commit=on",
                    "-c",
                    "max_connections=100",
                ],
                user=user,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while not self.accepts_connections():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)

    def accepts_connections(self) -> bool:
        bin_path, _ = _pgserver_binaries()
        result = subprocess.run(
            [str(bin_path / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> None:
        """A fast shutdown, as ``docker stop`` or a package upgrade does: sessions are ended
        (SQLSTATE 57P01), then the port closes."""
        self._signal(signal.SIGINT)
        self._wait()

    def kill(self) -> None:
        """kill -9 of the postmaster and every backend at once."""
        self._signal(signal.SIGKILL, group=True)
        self._wait()

    def freeze(self) -> None:
        """Every PostgreSQL process stopped where it is: connections stay open, nothing answers."""
        self._signal(signal.SIGSTOP, group=True)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT, group=True)

    def _signal(self, number: signal.Signals, *, group: bool = False) -> None:
        assert self.process is not None, "PostgreSQL is not running"
        if not group:
            self.process.send_signal(number)
            return
        postmaster = psutil.Process(self.process.pid)
        for process in [postmaster, *postmaster.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(number)

    def _wait(self) -> None:
        assert self.process is not None
        self.process.wait(timeout=60)
        self.process = None
        deadline = time.monotonic() + 10
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)  # orphaned backends of a kill -9 release the port

    def close(self) -> None:
        if self.process is not None:
            self.thaw()
            self.kill()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
