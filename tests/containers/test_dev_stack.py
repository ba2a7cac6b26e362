"""docker-compose.dev.yml: the hot-reload app from ./src and the Vite dev server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers.conftest import keep_or
from tests.containers.support import PORTS, PREFIX, Compose, wait_http

pytestmark = pytest.mark.containers

API = f"http://127.0.0.1:{PORTS['TOTRACKIT_DEV_API_PORT']}"
VITE = f"http://127.0.0.1:{PORTS['TOTRACKIT_DEV_UI_PORT']}"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, free_ports: None) -> Iterator[Compose]:
    """The dev project; ``npm ci`` in ui-dev gets this host's CA bundle when it has one."""
    files: list[str | Path] = ["docker-compose.dev.yml"]
    env = {}
    if HOST_CA.is_file() and HOST_CA.stat().st_size:
        override = tmp_path_factory.mktemp("dev") / "dev-ca.yml"
        override.write_text(
            f"services:\n  ui-dev:\n    volumes:\n      - {HOST_CA}:/etc/ssl/certs/host-ca.crt:ro\n"
        )
        files.append(override)
        env["TOTRACKIT_DEV_NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/host-ca.crt"
    compose = Compose(f"{PREFIX}-dev", files, profiles=["app"], env=env)
    compose.down()
    yield compose
    keep_or(compose.down)


def test_the_app_hot_reloads_from_src_with_a_debugger_port(dev: Compose) -> None:
    """Databases on 127.0.0.1, the app under watchfiles, debugpy listening."""
    dev("up", "-d", "--no-build", "postgres", "redis", "app")
    try:
        wait_http(f"{API}/health/ready", 120)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{dev.run('logs', '--tail', '20', 'app').stdout}") from None
    socket.create_connection(("127.0.0.1", PORTS["TOTRACKIT_DEV_DEBUG_PORT"]), 3).close()
    result = dev.run("logs", "--no-color", "app")
    logs = result.stdout + result.stderr
    assert "watchfiles" in logs, f"no watchfiles reloader: {logs[-2000:]}"


def test_the_vite_dev_server_serves_the_ui_and_proxies_the_api(dev: Compose) -> None:
    dev("up", "-d", "--no-build", "ui-dev")
    try:
        wait_http(f"{VITE}/", 240)
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n{dev.run('logs', '--tail', '20', 'ui-dev').stdout}"
        ) from None
    wait_http(f"{VITE}/health/ready", 30)
