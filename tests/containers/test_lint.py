"""Dockerfiles pass hadolint, the container scripts pass shellcheck."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.containers.support import ROOT, ok

pytestmark = pytest.mark.containers

DOCKERFILES = [
    "deploy/docker/Dockerfile",
    "deploy/docker/ui.Dockerfile",
    "deploy/postgres/Dockerfile",
]
SCRIPTS = [
    "scripts/quick-start.sh",
    "scripts/build-images.sh",
    "scripts/compose.sh",
    "scripts/image-tag.sh",
    "scripts/check-node.sh",
    "scripts/rollback.sh",
    "deploy/docker/trim-venv.sh",
    "deploy/docker/check-version.sh",
    "deploy/postgres/pgbackrest/scheduled-backups.sh",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "deploy/postgres/init").glob("*.sh")),
    "ci/docker-engine.sh",
    "ci/qemu-binfmt.sh",
    "ci/offline-images/build.sh",
    ".ci/run",
]


def test_the_dockerfiles_pass_hadolint(tools: Path) -> None:
    ok([tools / "hadolint", "--failure-threshold", "warning", *DOCKERFILES])


def test_the_container_scripts_pass_shellcheck(tools: Path) -> None:
    ok([tools / "shellcheck", "-x", *SCRIPTS])
