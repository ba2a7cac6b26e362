"""The Docker engine and the lint tools the suite needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.containers.support import docker, ok

pytestmark = pytest.mark.containers


def test_the_docker_engine_and_compose_answer() -> None:
    assert docker("version", "-f", "{{.Server.Version}}").strip()
    assert "ompose" in ok(["scripts/compose.sh", "version"])


def test_hadolint_and_shellcheck_run(tools: Path) -> None:
    assert "Haskell Dockerfile Linter" in ok([tools / "hadolint", "--version"])
    assert "version:" in ok([tools / "shellcheck", "--version"])
