"""The production stack (docker-compose.prod.yml, three API replicas, two workers each).

One stack serves the whole package: ``test_prod_stack.py`` checks it alone, then
``test_prod_with_monitoring.py`` adds docker-compose.monitoring.yml to the same project.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers.conftest import keep_or
from tests.containers.support import PREFIX, PROMETHEUS, PROXY, Compose, prod_env, wait_http

PROJECT = f"{PREFIX}-prod"


@pytest.fixture(scope="package")
def prod(secrets_dir: Path, free_ports: None) -> Iterator[Compose]:
    """Both files of the project (for ps, exec and down); the stack runs from the prod file."""
    env = prod_env(secrets_dir)
    both = Compose(PROJECT, ["docker-compose.prod.yml", "docker-compose.monitoring.yml"], env=env)
    both.down()
    Compose(PROJECT, ["docker-compose.prod.yml"], env=env)(
        "up", "-d", "--no-build", "--scale", "api=3"
    )
    try:
        wait_http(f"{PROXY}/health/ready", 120)
    except AssertionError as error:
        keep_or(both.down)
        raise AssertionError(f"{error}\n{both.diagnostics()}") from None
    yield both
    keep_or(both.down)


@pytest.fixture(scope="package")
def monitoring(prod: Compose) -> Compose:
    """The monitoring overlay joined to the running prod stack, Prometheus ready."""
    prod("up", "-d", "--no-build", "--scale", "api=3")
    wait_http(f"{PROMETHEUS}/-/ready", 90)
    return prod
