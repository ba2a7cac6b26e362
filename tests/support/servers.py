"""Running the real ``totrackit`` command as a separate process, for black-box tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import contract


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "totrackit", *args],
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[str]
    log: Path


@contextmanager
def running_server(
    *,
    data_dir: Path,
    command: str = "serve",
    env: Mapping[str, str] | None = None,
    scheme: str = "http",
    args: Sequence[str] = (),
    python: str = sys.executable,
    other_version: bool = False,
) -> Iterator[RunningServer]:
    """Start ``totrackit <command>`` on a free port and wait until it answers.

    ``scheme="https"`` when the environment configures TLS (liveness is polled unverified);
    ``python`` is the interpreter of another installation (a venv with a built wheel). The
    responses of an ``other_version`` of the code (the previous release) are not checked
    against this code's OpenAPI document, which describes this version only.
    """
    port = free_port()
    log = data_dir / f"{command}-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                python,
                "-m",
                "totrackit",
                command,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *args,
            ],
            env={**os.environ, "TOTRACKIT_DATA_DIR": str(data_dir), **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = RunningServer(url=f"{scheme}://127.0.0.1:{port}", process=process, log=log)
    try:
        with nullcontext() if other_version else contract.register_server(server.url, command):
            _wait_until_live(server)
            yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_live(server: RunningServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health/live", timeout=1, verify=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"server did not answer within {timeout}s:\n{server.log.read_text()}")


def answering_pid(url: str) -> int:
    # A new connection each time, so the kernel hands it to either worker.
    response = httpx.get(url + "/health/live", headers={"Connection": "close"}, timeout=10)
    assert response.status_code == 200
    pid: int = response.json()["application"]["details"]["pid"]
    return pid


def probe_until_pids(
    url: str, count: int, *, excluding: frozenset[int] = frozenset()
) -> tuple[set[int], int]:
    """Send liveness probes until ``count`` distinct workers (not in ``excluding``) answered."""
    seen: set[int] = set()
    sent = 0
    deadline = time.monotonic() + 60
    while len(seen - excluding) < count:
        assert time.monotonic() < deadline, f"only workers {seen} answered"
        try:
            seen.add(answering_pid(url))
        except httpx.TransportError:
            # A connection the kernel queued at a worker that is being replaced is reset
            # when that worker is killed; a client sees that once, and so may the probe.
            if not excluding:
                raise
        sent += 1
    return seen - excluding, sent
