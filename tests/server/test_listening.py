"""The port is bound before anything starts; the start banner is logged once it is true.

A port in use stops `serve` and `api` with exit 69 and the flag and variable that change it,
before a migration or a deadline engine touches the data. The orphans of a supervisor killed
with -9 let go of the port at once, so a restart right away binds it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.test_server_processes import children_of
from tests.support.servers import free_port, run_cli, running_server

QUIET = {"TOTRACKIT_ACCESS_LOG": "false", "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "1"}


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "api"])
def test_a_taken_port_stops_before_anything_starts_and_names_the_setting(
    command: str, taken_port: int, tmp_path: Path
) -> None:
    result = run_cli(
        command, "--port", str(taken_port), env={"TOTRACKIT_DATA_DIR": str(tmp_path), **QUIET}
    )

    assert result.returncode == 69, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert f"Cannot listen on 127.0.0.1:{taken_port}: the port is already in use" in output
    assert "--port or TOTRACKIT_PORT" in output
    assert "listening on" not in output
    assert "deadline engine" not in output
    # Nothing touched the data: the SQLite database was not even created.
    assert not (tmp_path / "totrackit.db").exists()


def test_a_taken_port_stops_the_supervisor_of_several_server_processes(
    postgresql_only: str, taken_port: int, tmp_path: Path
) -> None:
    env = {"TOTRACKIT_DATABASE_URL": postgresql_only, **QUIET}
    result = run_cli("serve", "--port", str(taken_port), "--workers", "2", env=env)

    assert result.returncode == 69, result.stdout + result.stderr
    assert "--port or TOTRACKIT_PORT" in result.stdout + result.stderr
    assert "Started server process" not in result.stdout + result.stderr


def test_an_address_of_another_machine_names_the_host_setting(tmp_path: Path) -> None:
    result = run_cli(
        "serve", "--host", "192.0.2.1", "--port", str(free_port()),
        env={"TOTRACKIT_DATA_DIR": str(tmp_path), **QUIET},
    )  # fmt: skip

    assert result.returncode == 69
    assert "192.0.2.1 is not an address of this machine" in result.stdout + result.stderr
    assert "--host or TOTRACKIT_HOST" in result.stdout + result.stderr


def banner_lines(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if " listening on " in line]


def test_one_banner_with_the_urls_once_the_server_accepts(tmp_path: Path) -> None:
    with running_server(data_dir=tmp_path, env=QUIET) as served:
        lines = served.log.read_text().splitlines()

    banners = banner_lines(served.log)
    assert len(banners) == 1
    banner = banners[0]
    for url in (f"{served.url}/", f"{served.url}/docs", f"{served.url}/health"):
        assert url in banner
    # Said once true: after the application started, not before the migrations.
    started = next(i for i, line in enumerate(lines) if "Application startup complete" in line)
    assert lines.index(banner) > started
    assert not [line for line in lines if "Uvicorn running on" in line]


def test_several_server_processes_log_one_banner(postgresql_only: str, tmp_path: Path) -> None:
    env = {"TOTRACKIT_DATABASE_URL": postgresql_only, **QUIET}
    with running_server(data_dir=tmp_path, command="api", env=env, args=["--workers", "2"]) as api:
        deadline = time.monotonic() + 30
        while not banner_lines(api.log):
            assert time.monotonic() < deadline, api.log.read_text()
            time.sleep(0.05)
        # Both processes serving: the second one must not add a banner.
        pids = {
            httpx.get(api.url + "/health/live", headers={"Connection": "close"}).json()[
                "application"
            ]["details"]["pid"]
            for _ in range(20)
        }

    assert len(pids) == 2
    assert len(banner_lines(api.log)) == 1
    assert "(2 server processes)" in banner_lines(api.log)[0]


def test_serve_warns_when_the_ui_is_not_built(tmp_path: Path) -> None:
    empty = tmp_path / "no-ui"
    empty.mkdir()
    env = {**QUIET, "TOTRACKIT_UI_DIR": str(empty)}

    with running_server(data_dir=tmp_path, env=env) as served:
        page = httpx.get(served.url + "/").text

    log = served.log.read_text()
    assert "The web UI is not built into this installation" in log
    assert "make ui" in log and "TOTRACKIT_UI_DIR" in log
    assert "was not built into this installation" in page


def test_serve_does_not_warn_when_the_ui_is_built(tmp_path: Path) -> None:
    built = tmp_path / "ui"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text("<!doctype html><title>ToTrackIt</title>")

    with running_server(data_dir=tmp_path, env={**QUIET, "TOTRACKIT_UI_DIR": str(built)}) as served:
        pass

    assert "not built" not in served.log.read_text()


def test_orphans_of_a_killed_supervisor_free_the_port_at_once(
    postgresql_only: str, tmp_path: Path
) -> None:
    port = free_port()
    # A long drain: without letting go of the port first, the orphans would hold it for 60 s.
    env = {
        **os.environ,
        **QUIET,
        "TOTRACKIT_DATABASE_URL": postgresql_only,
        "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "60",
    }
    command = [sys.executable, "-m", "totrackit", "api", "--port", str(port)]
    log = tmp_path / "supervisor.log"
    with log.open("w") as output:
        supervisor = subprocess.Popen(
            [*command, "--workers", "2"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    orphans: set[int] = set()
    restarted: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 60
        while not banner_lines(log):
            assert time.monotonic() < deadline and supervisor.poll() is None, log.read_text()
            time.sleep(0.05)
        orphans = children_of(supervisor.pid, excluding="resource_tracker")

        supervisor.kill()
        supervisor.wait()
        with (tmp_path / "restarted.log").open("w") as output:
            restarted = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)

        deadline = time.monotonic() + 60
        while True:
            assert restarted.poll() is None, (tmp_path / "restarted.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "restarted.log").read_text()
            try:
                live = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5)
                if live.json()["application"]["details"]["pid"] == restarted.pid:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        # The orphans are still draining (60 s): only their listening socket is gone.
        assert any(_alive(pid) for pid in orphans)
    finally:
        for pid in orphans:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if restarted is not None:
            restarted.kill()
            restarted.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
