"""The runtime image for linux/arm64, built on this machine and run under QEMU user emulation.

The same smoke checks as on amd64 (test_images.py): the image runs as a non-root user, migrates
its database, answers ready, and creates and reads a run. Before them, proof that what runs is
arm64: the image is recorded as linux/arm64, the kernel reports aarch64 inside, and every
compiled module in the venv is an AArch64 ELF file (wheels of the wrong architecture would not
load). ``make test-arm64`` builds the image first (docs/deployment/multi-arch.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.containers.support import (
    ARM64_IMAGE,
    ARM64_PORT,
    PREFIX,
    docker,
    inspect,
    run,
    status,
    wait_http,
)

pytestmark = [pytest.mark.containers, pytest.mark.arm64]

NAME = f"{PREFIX}-arm64"
VOLUME = f"{NAME}-data"
EM_AARCH64 = 183  # e_machine of the ELF header (elf.h)
ELF_MACHINES = """
import glob, struct, sys
files = [sys.executable] + glob.glob("/opt/venv/lib/python3*/site-packages/**/*.so", recursive=True)
machines = set()
for path in files:
    with open(path, "rb") as handle:
        machines.add(struct.unpack_from("<H", handle.read(20), 18)[0])
print(len(files), *sorted(machines))
"""
# Emulated start-up (imports, bytecode, migrations) is several times slower than native.
READY_SECONDS = 240


def python_in(image: str, code: str, *args: str) -> str:
    return docker("run", "--rm", *args, "--entrypoint", "python", image, "-c", code).strip()


@pytest.fixture(scope="module")
def image() -> str:
    missing = run(["docker", "image", "inspect", ARM64_IMAGE]).returncode != 0
    assert not missing, f"{ARM64_IMAGE} is missing: build it with `make test-arm64`"
    return ARM64_IMAGE


def test_the_image_is_recorded_as_linux_arm64(image: str) -> None:
    facts = inspect(image)[0]
    assert (facts["Os"], facts["Architecture"]) == ("linux", "arm64")


def test_the_kernel_reports_aarch64_inside(image: str) -> None:
    # What `uname -m` prints; the distroless image has no uname binary, Python asks the kernel.
    assert python_in(image, "import os; print(os.uname().machine)") == "aarch64"


def test_the_interpreter_and_every_compiled_module_are_aarch64(image: str) -> None:
    count, *machines = python_in(image, ELF_MACHINES).split()

    assert int(count) > 10, f"only {count} ELF files found in the venv"
    assert machines == [str(EM_AARCH64)], f"ELF machine types {machines}, expected AArch64 only"


def test_the_image_runs_as_a_non_root_user_and_has_no_shell(image: str) -> None:
    assert inspect(image)[0]["Config"]["User"] == "10001:0"
    assert python_in(image, "import os; print(os.getuid(), os.getgid())") == "10001 0"
    assert run(["docker", "run", "--rm", "--entrypoint", "/bin/sh", image, "-c", "true"]).returncode


@pytest.fixture(scope="module")
def migrated(image: str) -> Iterator[str]:
    """A data volume migrated to head by the image's own `migrate upgrade`."""
    run(["docker", "rm", "-f", NAME])
    run(["docker", "volume", "rm", VOLUME])
    docker("run", "--rm", "-v", f"{VOLUME}:/data", image, "migrate", "upgrade")
    yield VOLUME
    run(["docker", "rm", "-f", NAME])
    run(["docker", "volume", "rm", VOLUME])


def test_migrate_brings_the_database_to_the_newest_revision(image: str, migrated: str) -> None:
    lines = docker("run", "--rm", "-v", f"{migrated}:/data", image, "migrate", "current")
    revisions = dict(
        line.split(":", 1) for line in lines.splitlines() if line.startswith(("current", "head"))
    )

    assert revisions["current"].strip() == revisions["head"].strip() != "", lines


@pytest.fixture(scope="module")
def server(image: str, migrated: str, free_ports: None) -> str:
    """The image serving on the migrated volume, read-only root, no capabilities."""
    docker(
        "run", "-d", "--name", NAME, "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges:true", "-v", f"{migrated}:/data",
        "-p", f"127.0.0.1:{ARM64_PORT}:8080", image,
    )  # fmt: skip
    base = f"http://127.0.0.1:{ARM64_PORT}"
    try:
        wait_http(f"{base}/health/ready", READY_SECONDS)
    except AssertionError as error:
        logs = run(["docker", "logs", "--tail", "30", NAME])
        raise AssertionError(f"{error}\n{logs.stdout}{logs.stderr}") from None
    return base


def test_the_server_answers_ready_as_a_non_root_process(server: str) -> None:
    rows = docker("top", NAME, "-eo", "pid,uid,comm").splitlines()[1:]
    uids = {row.split()[1] for row in rows}

    assert status("GET", f"{server}/health/ready") == 200
    assert rows and uids == {"10001"}, rows


def test_a_run_is_created_and_read_back(server: str) -> None:
    created = status("POST", f"{server}/processes/arm64-smoke", json={"id": "run-arm64"})
    read = status("GET", f"{server}/processes/arm64-smoke/run-arm64")

    assert (created, read) == (201, 200)
