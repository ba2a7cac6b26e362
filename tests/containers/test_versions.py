"""One version everywhere: the package (pyproject.toml), `totrackit version`, /health and the
image's OCI labels agree, and a build that would make them disagree stops."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.containers.support import (
    ENV,
    IMAGE,
    VERSION_PORT,
    docker,
    inspect,
    output,
    package_version,
    request,
    run,
    wait_http,
)

pytestmark = pytest.mark.containers

URL = f"http://127.0.0.1:{VERSION_PORT}"


@pytest.fixture(scope="module")
def serving(free_ports: None) -> Iterator[str]:
    name = "totrackit-ct-version"
    run(["docker", "rm", "-f", name])
    docker("run", "-d", "--name", name, "-p", f"127.0.0.1:{VERSION_PORT}:8080", IMAGE)
    try:
        wait_http(f"{URL}/health/ready", 60)
        yield name
    finally:
        run(["docker", "rm", "-f", name])


def test_the_command_the_health_endpoint_and_the_labels_say_the_package_version(
    serving: str,
) -> None:
    version = package_version()
    labels = inspect(IMAGE)[0]["Config"]["Labels"]
    health = request("GET", f"{URL}/health")

    assert docker("run", "--rm", IMAGE, "version").strip() == version
    assert health is not None and health.json()["version"] == version
    assert labels["org.opencontainers.image.version"] == version
    assert re.fullmatch(r"[0-9a-f]{40}", labels["org.opencontainers.image.revision"])


def test_a_build_with_another_version_than_the_package_stops_and_says_why() -> None:
    result = run(
        ["scripts/build-images.sh", "api"],
        env={**ENV, "VERSION": "9.9.9", "TOTRACKIT_IMAGE_NAME": "totrackit-ct-wrong-version"},
    )

    assert result.returncode != 0, output(result)
    assert f"VERSION=9.9.9, but the package is {package_version()} (pyproject.toml)" in (
        result.stdout + result.stderr
    ), output(result)
    assert run(["docker", "image", "inspect", "totrackit-ct-wrong-version:local"]).returncode != 0
