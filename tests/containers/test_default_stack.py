"""docker-compose.yml, the full stack: ready, healthy, least privilege, and keeping its data.

The tests run in file order: the last three restart, recreate and kill the stack.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.containers.conftest import keep_or
from tests.containers.support import (
    API,
    PORTS,
    PREFIX,
    ROOT,
    SWAGGER,
    UI,
    Compose,
    assert_non_root,
    inspect,
    request,
    status,
    wait_healthy,
    wait_http,
)

pytestmark = pytest.mark.containers

DEV_SECRETS = ROOT / "deploy" / "secrets" / "dev"
PERSISTED = f"{API}/processes/persist/run-persist"


@dataclass
class Stack:
    compose: Compose
    ready_seconds: float


@pytest.fixture(scope="module")
def stack(free_ports: None) -> Iterator[Stack]:
    """The default stack, up from fresh volumes, with /health/ready answering."""
    compose = Compose(f"{PREFIX}-default", ["docker-compose.yml"])
    compose.down()
    started = time.monotonic()
    compose("up", "-d", "--no-build")
    try:
        wait_http(f"{API}/health/ready", 120)
    except AssertionError as error:
        keep_or(compose.down)
        raise AssertionError(f"{error}\n{compose.diagnostics()}") from None
    yield Stack(compose, time.monotonic() - started)
    keep_or(compose.down)


@pytest.fixture(scope="module")
def persisted_run(stack: Stack) -> str:
    """A run written through the API, which every later check reads back."""
    body = {"id": "run-persist", "tags": [{"key": "country", "value": "DE"}]}
    assert status("POST", f"{API}/processes/persist", json=body) == 201
    return PERSISTED


def psql(stack: Stack, user: str, sql: str) -> tuple[int, str]:
    """Run SQL in the postgres container as ``user`` with its development password."""
    password = (DEV_SECRETS / f"db_{user.removeprefix('totrackit_')}_password").read_text().strip()
    result = stack.compose.run(
        "exec", "-T", "-e", f"PGPASSWORD={password}", "postgres",
        "psql", "-h", "127.0.0.1", "-U", user, "-d", "totrackit", "-v", "ON_ERROR_STOP=1", "-Atc", sql,
    )  # fmt: skip
    return result.returncode, (result.stdout + result.stderr).strip()


def test_ready_within_120_seconds_of_up(stack: Stack, note: Callable[[str], None]) -> None:
    note(f"compose-up-to-ready-seconds: {stack.ready_seconds:.1f}")
    assert stack.ready_seconds < 120


def test_every_service_is_healthy(stack: Stack) -> None:
    """postgres, redis, migrate (exited 0), api, worker, ui and swagger-ui."""
    wait_healthy(stack.compose, 120)


def test_api_write_and_read_also_through_the_ui_proxy(persisted_run: str) -> None:
    assert status("GET", f"{UI}/processes/persist/run-persist") == 200
    assert status("GET", f"{UI}/docs") == 200


def test_ui_index_is_no_cache_and_hashed_assets_immutable_and_gzip(stack: Stack) -> None:
    index = request("GET", f"{UI}/")
    assert index is not None
    assert index.headers.get("cache-control", "").startswith("no-cache"), index.headers
    assets = re.findall(r'/assets/[^"]*\.js', index.text)
    assert assets, "no asset in index.html"

    asset = request("GET", f"{UI}{assets[0]}", headers={"Accept-Encoding": "gzip"})
    assert asset is not None
    assert asset.headers.get("cache-control", "").startswith(
        "public, max-age=31536000, immutable"
    ), asset.headers
    assert asset.headers.get("content-encoding", "").startswith("gzip"), asset.headers


def test_swagger_ui_loads_the_api_openapi_json_with_cors(stack: Stack) -> None:
    api_port, swagger_port = PORTS["TOTRACKIT_API_PORT"], PORTS["TOTRACKIT_SWAGGER_PORT"]
    assert status("GET", f"{SWAGGER}/") == 200
    initializer = request("GET", f"{SWAGGER}/swagger-initializer.js")
    assert initializer is not None
    assert f"localhost:{api_port}/openapi.json" in initializer.text, initializer.text

    origin = f"http://localhost:{swagger_port}"
    openapi = request("GET", f"{API}/openapi.json", headers={"Origin": origin})
    assert openapi is not None
    assert openapi.headers.get("access-control-allow-origin") == origin, openapi.headers


def test_every_process_of_every_container_runs_as_non_root(stack: Stack) -> None:
    assert_non_root(stack.compose)


def test_migrations_ran_as_the_owner_and_the_runtime_role_cannot_change_the_schema(
    stack: Stack,
) -> None:
    owners_sql = (
        "select string_agg(distinct tableowner, ',') from pg_tables where schemaname = 'public'"
    )
    assert psql(stack, "totrackit_owner", owners_sql) == (0, "totrackit_owner")

    code, out = psql(stack, "totrackit_app", "select count(*) from processes")
    assert code == 0, out
    code, out = psql(stack, "totrackit_app", "create table intruder (i int)")
    assert code != 0, "the runtime role could create a table"
    code, out = psql(stack, "totrackit_app", "drop table processes")
    assert code != 0, "the runtime role could drop a table"


def test_the_worker_serves_health_and_metrics_on_8081(stack: Stack) -> None:
    worker = stack.compose.container("worker")
    script = "import urllib.request as r; print(r.urlopen('http://127.0.0.1:8081/metrics').read().decode())"
    result = stack.compose.run("exec", "-T", "worker", "python", "-c", script)
    assert result.returncode == 0, (worker, result.stderr)
    series = [line for line in result.stdout.splitlines() if line.startswith("totrackit_")]
    assert series, result.stdout[-2000:]


# The checks below change the stack: restart, down and up, a killed container.


def test_data_survives_restart(stack: Stack, persisted_run: str) -> None:
    stack.compose("restart", "-t", "10")
    wait_http(f"{API}/health/ready", 90)
    assert status("GET", persisted_run) == 200


def test_data_survives_down_and_up(stack: Stack, persisted_run: str) -> None:
    """Named volumes keep the data when the containers are removed."""
    stack.compose("down", "-t", "10")
    stack.compose("up", "-d", "--no-build")
    wait_http(f"{API}/health/ready", 120)
    assert status("GET", persisted_run) == 200


def test_a_killed_api_container_is_restarted_healthy_with_its_data(
    stack: Stack, persisted_run: str
) -> None:
    """SIGKILL of the API's process from the host, as the OOM killer would send it."""
    api = stack.compose.container("api")
    os.kill(inspect(api)[0]["State"]["Pid"], signal.SIGKILL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        facts = inspect(api)[0]
        if facts["RestartCount"] >= 1 and facts["State"]["Health"]["Status"] == "healthy":
            break
        time.sleep(1)
    else:
        state = facts["State"]
        raise AssertionError(
            f"api not back: {state['Status']} {state['Health']['Status']} restarts={facts['RestartCount']}"
        )
    assert status("GET", persisted_run) == 200
