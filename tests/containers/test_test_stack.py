"""docker-compose.test.yml: an isolated throw-away stack with its databases in memory."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.containers.conftest import keep_or
from tests.containers.support import PORTS, PREFIX, ROOT, Compose, docker, status, wait_http

pytestmark = pytest.mark.containers

PROJECT = f"{PREFIX}-test"
API = f"http://127.0.0.1:{PORTS['TOTRACKIT_TEST_API_PORT']}"


@pytest.fixture(scope="module")
def stack(free_ports: None) -> Iterator[Compose]:
    compose = Compose(PROJECT, ["docker-compose.test.yml"])
    compose.down()
    compose("up", "-d", "--no-build")
    yield compose
    keep_or(compose.down)


def test_the_api_is_ready_and_writes(stack: Compose) -> None:
    wait_http(f"{API}/health/ready", 90)
    assert status("POST", f"{API}/processes/t", json={"id": "run-t"}) == 201


def test_the_databases_live_in_tmpfs_without_volumes(stack: Compose) -> None:
    volumes = docker(
        "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"
    )
    assert not volumes.split(), f"the test stack created volumes: {volumes}"


def test_postgresql_is_published_for_pytest(stack: Compose) -> None:
    """The URL the compose file's header gives for TOTRACKIT_TEST_DATABASE_URL works."""
    wait_http(f"{API}/health/ready", 90)
    password = (ROOT / "deploy/secrets/dev/db_owner_password").read_text().strip()
    port = PORTS["TOTRACKIT_TEST_DB_PORT"]
    url = f"postgresql://totrackit_owner:{password}@127.0.0.1:{port}/totrackit"
    with psycopg.connect(url, connect_timeout=5) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
