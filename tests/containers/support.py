"""Helpers of the container suite: running Docker and Compose, HTTP probes, container facts.

Every stack runs under the compose project prefix ``TOTRACKIT_CT_PREFIX`` (default
``totrackit-ct``) on ports 28000-29093, away from the defaults a developer may be using.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PREFIX = os.environ.get("TOTRACKIT_CT_PREFIX", "totrackit-ct")
KEEP = os.environ.get("TOTRACKIT_CT_KEEP", "0") == "1"

# The names and tag the compose files select images by (scripts/build-images.sh builds them).
IMAGE_NAME = os.environ.get("TOTRACKIT_IMAGE_NAME", "totrackit")
UI_IMAGE_NAME = os.environ.get("TOTRACKIT_UI_IMAGE_NAME", "totrackit-ui")
TAG = os.environ.get("TOTRACKIT_VERSION", "local")
IMAGE = f"{IMAGE_NAME}:{TAG}"
UI_IMAGE = f"{UI_IMAGE_NAME}:{TAG}"
SLIM_IMAGE = os.environ.get("TOTRACKIT_SLIM_IMAGE", f"{IMAGE}-slim")
DEV_IMAGE = os.environ.get("TOTRACKIT_DEV_IMAGE", "totrackit:dev")
# The runtime image built for linux/arm64 and run under QEMU user emulation (test_arm64.py).
ARM64_IMAGE = os.environ.get("TOTRACKIT_ARM64_IMAGE", f"{IMAGE}-arm64")

PORTS = {
    "TOTRACKIT_API_PORT": 28080,
    "TOTRACKIT_UI_PORT": 23000,
    "TOTRACKIT_SWAGGER_PORT": 28081,
    "PROMETHEUS_PORT": 29090,
    "ALERTMANAGER_PORT": 29093,
    "TOTRACKIT_TEST_API_PORT": 28180,
    "TOTRACKIT_TEST_DB_PORT": 28432,
    "TOTRACKIT_TEST_REDIS_PORT": 28379,
    "TOTRACKIT_DEV_API_PORT": 28280,
    "TOTRACKIT_DEV_DB_PORT": 28532,
    "TOTRACKIT_DEV_REDIS_PORT": 28479,
    "TOTRACKIT_DEV_DEBUG_PORT": 28678,
    "TOTRACKIT_DEV_UI_PORT": 28173,
}
PROD_HTTP_PORT = 28000
ROLLBACK_HTTP_PORT = 28001
ANYUID_PORT = 28090
VERSION_PORT = 28091
ARM64_PORT = 28092
# The pods of deploy/kubernetes run under Docker (test_kubernetes_pods.py): API and worker.
KUBERNETES_PORTS = {"api": 28390, "worker": 28391}
ALL_PORTS = [
    *PORTS.values(),
    PROD_HTTP_PORT,
    ROLLBACK_HTTP_PORT,
    ANYUID_PORT,
    VERSION_PORT,
    ARM64_PORT,
    *KUBERNETES_PORTS.values(),
]

API = f"http://127.0.0.1:{PORTS['TOTRACKIT_API_PORT']}"
UI = f"http://127.0.0.1:{PORTS['TOTRACKIT_UI_PORT']}"
SWAGGER = f"http://127.0.0.1:{PORTS['TOTRACKIT_SWAGGER_PORT']}"
PROXY = f"http://127.0.0.1:{PROD_HTTP_PORT}"
PROMETHEUS = f"http://127.0.0.1:{PORTS['PROMETHEUS_PORT']}"
ALERTMANAGER = f"http://127.0.0.1:{PORTS['ALERTMANAGER_PORT']}"


def offline_images() -> dict[str, str]:
    """The stand-in image variables of ``.offline.env`` when ``TOTRACKIT_OFFLINE_IMAGES=1``."""
    path = ROOT / ".offline.env"
    if os.environ.get("TOTRACKIT_OFFLINE_IMAGES", "0") != "1":
        return {}
    assert path.is_file(), ".offline.env is missing: run ci/offline-images/build.sh"
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if not key.startswith("#")}


def harness_env() -> dict[str, str]:
    """The environment every command of the suite runs in."""
    env = dict(os.environ)
    if Path("/usr/bin/docker").exists():  # Debian's client builds with BuildKit
        env["PATH"] = f"/usr/bin:{env.get('PATH', '')}"
    env.update(
        DOCKER_BUILDKIT="1", COMPOSE_DOCKER_CLI_BUILD="1", TOTRACKIT_BIND_ADDRESS="127.0.0.1"
    )
    env.update(TOTRACKIT_IMAGE_NAME=IMAGE_NAME, TOTRACKIT_UI_IMAGE_NAME=UI_IMAGE_NAME)
    env.update(
        TOTRACKIT_VERSION=TAG, TOTRACKIT_SLIM_IMAGE=SLIM_IMAGE, TOTRACKIT_DEV_IMAGE=DEV_IMAGE
    )
    env.update({name: str(port) for name, port in PORTS.items()})
    env.update(offline_images())
    env.pop("COMPOSE_PROJECT_NAME", None)  # every command names its project
    return env


ENV = harness_env()


def run(
    args: Sequence[str | Path],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command from the repository root; never raises on a non-zero exit."""
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=ROOT,
        env=env or ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    """A command line and its output, for assertion messages."""
    text = (result.stdout + result.stderr).strip().splitlines()
    return f"$ {' '.join(map(str, result.args))} (exit {result.returncode})\n" + "\n".join(
        text[-40:]
    )


def ok(
    args: Sequence[str | Path], *, env: dict[str, str] | None = None, timeout: float = 600
) -> str:
    """Run a command that must succeed; return its standard output."""
    result = run(args, env=env, timeout=timeout)
    assert result.returncode == 0, output(result)
    return result.stdout


def docker(*args: str, timeout: float = 600) -> str:
    return ok(["docker", *args], timeout=timeout)


def inspect(*ids: str) -> list[dict[str, Any]]:
    """``docker inspect`` of containers or images, parsed."""
    if not ids:
        return []
    facts: list[dict[str, Any]] = json.loads(docker("inspect", *ids))
    return facts


class Compose:
    """One compose project: ``scripts/compose.sh -p PROJECT -f FILE... [--profile P]...``."""

    def __init__(
        self,
        project: str,
        files: Sequence[str | Path],
        *,
        profiles: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.project = project
        self.options = ["-p", project]
        self.options += [arg for file in files for arg in ("-f", str(file))]
        self.options += [arg for profile in profiles for arg in ("--profile", profile)]
        self.env = {**ENV, **(env or {})}

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return run(["scripts/compose.sh", *self.options, *args], env=self.env, timeout=timeout)

    def __call__(self, *args: str, timeout: float = 600) -> str:
        """Run a compose command that must succeed; return its standard output."""
        result = self.run(*args, timeout=timeout)
        assert result.returncode == 0, output(result) + "\n" + self.diagnostics()
        return result.stdout

    def ids(self, service: str | None = None) -> list[str]:
        return self("ps", "-q", *([service] if service else [])).split()

    def container(self, service: str) -> str:
        ids = self.ids(service)
        assert ids, f"no container for {service} in {self.project}"
        return ids[0]

    def down(self) -> None:
        self.run("down", "-v", "--remove-orphans", "-t", "5")

    def diagnostics(self) -> str:
        """``ps`` and the last log lines, for the message of a failed start."""
        ps = self.run("ps", timeout=60)
        logs = self.run("logs", "--no-color", "--tail", "20", timeout=60)
        return f"{ps.stdout}\n{logs.stdout[-6000:]}"


def request(method: str, url: str, **kwargs: Any) -> httpx.Response | None:
    """One HTTP request with a 10 s timeout; None when nothing answered."""
    try:
        return httpx.request(method, url, timeout=10, **kwargs)
    except httpx.HTTPError:
        return None


def status(method: str, url: str, **kwargs: Any) -> int:
    """The status code of one request, 0 when nothing answered."""
    response = request(method, url, **kwargs)
    return response.status_code if response is not None else 0


def wait_http(url: str, seconds: float) -> None:
    """Wait until ``url`` answers 200; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if status("GET", url) == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"no 200 from {url} within {seconds} s (last: {status('GET', url)})")


def _unsettled(container: dict[str, Any]) -> str | None:
    """Why a container is not yet healthy (running and healthy, or exited 0), or None."""
    state = container["State"]
    health = state.get("Health", {}).get("Status", "none") if state.get("Health") else "none"
    if state["Status"] == "running" and health in ("healthy", "none"):
        return None
    if state["Status"] == "exited" and state["ExitCode"] == 0:
        return None
    return f"{container['Name']}({state['Status']} {health})"


def wait_healthy(compose: Compose, seconds: float) -> None:
    """Every container of the project is running and healthy (or exited 0) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        containers = inspect(*compose.ids())
        pending = [why for why in map(_unsettled, containers) if why]
        if not pending:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    logs = [
        f"--- {c['Name']}:\n{run(['docker', 'logs', '--tail', '15', c['Id']]).stderr}"
        for c in containers
        if (c["State"].get("Health") or {}).get("Status") == "unhealthy"
    ]
    raise AssertionError(f"not healthy within {seconds}s: {' '.join(pending)}\n" + "\n".join(logs))


def process_owners(compose: Compose) -> dict[str, list[str]]:
    """Every process of every running container, as ``uid:command`` per container name."""
    processes: dict[str, list[str]] = {}
    for container in inspect(*compose.ids()):
        if not container["State"]["Running"]:
            continue
        # The engine needs the pid column: without it Docker 20.10 refuses the ps options.
        rows = docker("top", container["Id"], "-eo", "pid,uid,comm").splitlines()[1:]
        processes[container["Name"]] = [":".join(row.split(None, 2)[1:]) for row in rows]
    return processes


def assert_non_root(compose: Compose) -> None:
    processes = process_owners(compose)
    assert processes, f"no running container in {compose.project}"
    root = [
        name for name, rows in processes.items() if any(re.match(r"(0|root):", r) for r in rows)
    ]
    assert not root, f"processes running as root in {root}: {processes}"


def package_version() -> str:
    """The one version source: pyproject.toml."""
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def clean_copy(destination: Path) -> Path:
    """The working tree as a clone of it has it (tracked and untracked, not ignored, files),
    plus the harness's .offline.env, for building images from a changed copy."""
    listed = ok(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
    for name in [*filter(None, listed.split("\0")), ".offline.env"]:
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def prod_env(secrets_dir: Path) -> dict[str, str]:
    """What the prod stack runs with; the rate limit never bites, but makes the API use Redis."""
    return {
        "TOTRACKIT_SECRETS_DIR": str(secrets_dir),
        "TOTRACKIT_HTTP_PORT": str(PROD_HTTP_PORT),
        "TOTRACKIT_HTTP_BIND": "127.0.0.1",
        "TOTRACKIT_RATE_LIMIT": "100000/minute",
        "TOTRACKIT_WORKERS": "2",
        "TOTRACKIT_POSTGRES_IMAGE": "totrackit-postgres:local",  # scripts/build-images.sh postgres
        "TOTRACKIT_PITR_BACKUP_INTERVAL": "3600",
        "TOTRACKIT_REDIS_PASSWORD": (secrets_dir / "redis_password").read_text().strip(),
    }


def size_mb(image: str) -> float:
    return float(inspect(image)[0]["Size"]) / 1000 / 1000
