"""The images: built, small, non-root, labelled, health-checked, and runnable as any UID."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.containers.support import (
    ANYUID_PORT,
    DEV_IMAGE,
    IMAGE,
    PREFIX,
    SLIM_IMAGE,
    UI_IMAGE,
    docker,
    inspect,
    run,
    size_mb,
    status,
    wait_http,
)

pytestmark = pytest.mark.containers

ANYUID = f"{PREFIX}-anyuid"
BERLIN_SUMMER = (
    "import zoneinfo, datetime; "
    "print(datetime.datetime(2026, 7, 1, tzinfo=zoneinfo.ZoneInfo('Europe/Berlin')).utcoffset())"
)


@pytest.mark.parametrize("image", [IMAGE, SLIM_IMAGE, UI_IMAGE, DEV_IMAGE])
def test_the_image_is_built(image: str, note: Callable[[str], None]) -> None:
    assert run(["docker", "image", "inspect", image]).returncode == 0, f"{image} is missing"
    note(f"image-size {image}: {size_mb(image):.1f} MB")


def test_the_runtime_image_is_smaller_than_150_mb() -> None:
    assert 0 < size_mb(IMAGE) < 150


@pytest.mark.parametrize(
    ("image", "user"), [(IMAGE, "10001:0"), (SLIM_IMAGE, "10001:0"), (UI_IMAGE, "101:101")]
)
def test_user_oci_labels_and_healthcheck(image: str, user: str) -> None:
    config = inspect(image)[0]["Config"]
    labels = config.get("Labels") or {}

    assert config["User"] == user
    assert labels.get("org.opencontainers.image.version"), labels
    assert labels.get("org.opencontainers.image.revision"), labels
    assert (config.get("Healthcheck") or {}).get("Test", [""])[0], config.get("Healthcheck")


def test_the_runtime_image_has_no_shell() -> None:
    result = run(["docker", "run", "--rm", "--entrypoint", "/bin/sh", IMAGE, "-c", "true"])
    assert result.returncode != 0


def test_version_and_worker_help_run() -> None:
    assert docker("run", "--rm", IMAGE, "version").strip()
    assert "worker" in docker("run", "--rm", IMAGE, "worker", "--help")


@pytest.mark.parametrize("image", [IMAGE, SLIM_IMAGE])
def test_zoneinfo_works(image: str) -> None:
    offset = docker("run", "--rm", "--entrypoint", "python", image, "-c", BERLIN_SUMMER)
    assert offset.strip() == "2:00:00"


@pytest.fixture
def anyuid(free_ports: None) -> Iterator[str]:
    """The runtime image serving on SQLite as UID 54321 / GID 0, read-only, no capabilities."""
    run(["docker", "rm", "-f", ANYUID])
    docker(
        "run", "-d", "--name", ANYUID, "--user", "54321:0", "--read-only", "--tmpfs", "/tmp",
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true",
        "-v", f"{ANYUID}-data:/data", "-p", f"127.0.0.1:{ANYUID_PORT}:8080", IMAGE,
    )  # fmt: skip
    yield f"http://127.0.0.1:{ANYUID_PORT}"
    run(["docker", "rm", "-f", ANYUID])
    run(["docker", "volume", "rm", f"{ANYUID}-data"])


def test_serves_as_any_uid_in_group_0_on_a_read_only_root(anyuid: str) -> None:
    try:
        wait_http(f"{anyuid}/health/ready", 60)
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n{run(['docker', 'logs', '--tail', '30', ANYUID]).stderr}"
        ) from None

    assert status("POST", f"{anyuid}/processes/anyuid", json={"id": "run-anyuid"}) == 201
    assert status("GET", f"{anyuid}/processes/anyuid/run-anyuid") == 200
