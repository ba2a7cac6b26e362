"""A process that stops making progress exits by itself, so its restart policy replaces it
(seed 000 R2.2): Docker restarts exited containers, not unhealthy ones.

Each role is stalled for real (tests/reliability/stall/sitecustomize.py, loaded only into the
processes these tests start): its event loop blocked, or its deadline scanner hung while the
loop turns. The process must exit with status 70 and say why; a supervised worker is replaced.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.reliability.conftest import server_env
from tests.reliability.load import answers, wait_for
from tests.support.postgres import PostgresServer
from tests.support.servers import probe_until_pids, running_server
from totrackit.server.watchdog import EXIT_STALLED

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
STALL = Path(__file__).parent / "stall"


def stalling(postgres: PostgresServer, kind: str) -> dict[str, str]:
    return {
        **server_env(postgres),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(STALL), os.environ.get("PYTHONPATH")])),
        "TOTRACKIT_TEST_STALL": kind,
        "TOTRACKIT_HUNG_WORKER_SECONDS": "2",
        "TOTRACKIT_NOTIFICATION_SCAN_INTERVAL": "200ms",
    }


def exit_status(process: subprocess.Popen[str]) -> int:
    wait_for(lambda: process.poll() is not None, timeout=60, what="the stalled process exits")
    return process.returncode


@pytest.mark.parametrize(("command", "kind"), [("serve", "loop"), ("serve", "scanner")])
def test_a_stalled_single_process_exits_for_its_restart_policy(
    own_postgres: PostgresServer, tmp_path: Path, command: str, kind: str
) -> None:
    env = stalling(own_postgres, kind)
    with running_server(data_dir=tmp_path, command=command, env=env) as server:
        assert answers(server.url, "/health/live") == 200
        server.process.send_signal(signal.SIGUSR1)

        assert exit_status(server.process) == EXIT_STALLED
    log = server.log.read_text()
    reason = "event loop has not turned" if kind == "loop" else "deadline scan has not finished"
    assert reason in log, log[-2000:]


@pytest.mark.parametrize("kind", ["loop", "scanner"])
def test_a_stalled_worker_exits_for_its_restart_policy(
    own_postgres: PostgresServer, tmp_path: Path, kind: str
) -> None:
    env = stalling(own_postgres, kind)
    with running_server(data_dir=tmp_path, command="worker", env=env) as worker:
        worker.process.send_signal(signal.SIGUSR1)

        assert exit_status(worker.process) == EXIT_STALLED
    assert "Exiting with status 70" in worker.log.read_text()


def test_a_stalled_server_process_of_two_is_replaced(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    env = stalling(own_postgres, "loop")
    with running_server(data_dir=tmp_path, command="api", env=env, args=["--workers", "2"]) as api:
        pids, _ = probe_until_pids(api.url, 2)
        stalled = min(pids)
        os.kill(stalled, signal.SIGUSR1)

        replacement, _ = probe_until_pids(api.url, 1, excluding=frozenset(pids))
        assert len(replacement) == 1
        assert api.process.poll() is None  # the supervisor serves on
    assert "Exiting with status 70" in api.log.read_text()


def long_running_services(compose_file: Path) -> dict[str, dict[str, object]]:
    services: dict[str, dict[str, object]] = yaml.safe_load(compose_file.read_text())["services"]
    return {name: s for name, s in services.items() if s.get("restart") != "no"}


@pytest.mark.parametrize(
    "compose_file",
    [*sorted(ROOT.glob("docker-compose*.yml")), ROOT / "compose.coolify.yml"],
    ids=lambda path: path.name,
)
def test_every_service_that_exits_is_restarted(compose_file: Path) -> None:
    """What makes the exits above a recovery: each long-running service has a restart policy
    (one-shot steps say restart: "no" explicitly)."""
    services = long_running_services(compose_file)
    assert services
    for name, service in services.items():
        assert service.get("restart") in {"unless-stopped", "always", "on-failure"}, name
