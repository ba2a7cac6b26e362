"""The Docker engine and the lint tools the suite needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.containers.support import ENV, PREFIX, docker, ok

pytestmark = pytest.mark.containers


def test_the_docker_engine_and_compose_answer() -> None:
    assert docker("version", "-f", "{{.Server.Version}}").strip()
    assert "ompose" in ok(["scripts/compose.sh", "version"])


def test_hadolint_and_shellcheck_run(tools: Path) -> None:
    assert "Haskell Dockerfile Linter" in ok([tools / "hadolint", "--version"])
    assert "version:" in ok([tools / "shellcheck", "--version"])


def test_cleaning_a_stack_that_never_ran_says_so_without_errors() -> None:
    env = {**ENV, "COMPOSE_PROJECT_NAME": f"{PREFIX}-never-started"}

    out = ok(["make", "--no-print-directory", "clean-stack"], env=env)

    assert "nothing to delete: project" in out and "never-started" in out
    assert "not found" not in out
