"""Rolling the production stack back to the previous release keeps its data and comes up.

Two versions of the image: A is the image under test with its package version; B is the same
code released as the next patch version with one more (expand) migration, built from a copy of
the repository. The prod stack runs B with two API replicas and data, then
``scripts/rollback.sh A`` takes it back: A runs on B's schema (reported "ahead"), ready, with
the data and the replica count kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.containers.conftest import keep_or
from tests.containers.support import (
    ENV,
    IMAGE,
    PREFIX,
    ROLLBACK_HTTP_PORT,
    Compose,
    clean_copy,
    docker,
    inspect,
    ok,
    output,
    package_version,
    prod_env,
    request,
    run,
    status,
    wait_http,
)
from totrackit.db import migrate

pytestmark = pytest.mark.containers

NAME = "totrackit-ct-rollback"
PROJECT = f"{PREFIX}-rollback"
PROXY = f"http://127.0.0.1:{ROLLBACK_HTTP_PORT}"
MIGRATION = '''"""An expand step of the next release: a nullable column the previous release ignores."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("processes", sa.Column("rollback_probe", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("processes", "rollback_probe")
'''


@dataclass
class Versions:
    previous: str
    newer: str


def next_patch(version: str) -> str:
    major, minor, patch = version.split(".")[:3]
    return f"{major}.{minor}.{int(''.join(c for c in patch if c.isdigit())) + 1}"


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Versions]:
    previous, newer = package_version(), next_patch(package_version())
    docker("tag", IMAGE, f"{NAME}:{previous}")
    copy = clean_copy(tmp_path_factory.mktemp("next-release"))
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(f'version = "{previous}"', f'version = "{newer}"', 1)
    )
    versions_dir = copy / "src" / "totrackit" / "db" / "migrations" / "versions"
    (versions_dir / "9999_rollback_probe.py").write_text(
        MIGRATION.format(head=migrate.head_revision())
    )
    result = run(
        [copy / "scripts" / "build-images.sh", "api"],
        env={**ENV, "TOTRACKIT_IMAGE_NAME": NAME, "TOTRACKIT_VERSION": newer},
        timeout=1200,
    )
    assert result.returncode == 0, output(result)
    yield Versions(previous, newer)
    for version in (previous, newer):
        run(["docker", "rmi", f"{NAME}:{version}"])


def stack_env(secrets_dir: Path, version: str) -> dict[str, str]:
    return {
        **prod_env(secrets_dir),
        "TOTRACKIT_IMAGE_NAME": NAME,
        "TOTRACKIT_VERSION": version,
        "TOTRACKIT_HTTP_PORT": str(ROLLBACK_HTTP_PORT),
    }


@pytest.fixture(scope="module")
def newer_stack(versions: Versions, secrets_dir: Path, free_ports: None) -> Iterator[Compose]:
    compose = Compose(
        PROJECT, ["docker-compose.prod.yml"], env=stack_env(secrets_dir, versions.newer)
    )
    compose.down()
    compose("up", "-d", "--no-build", "--scale", "api=2")
    try:
        wait_http(f"{PROXY}/health/ready", 180)
    except AssertionError as error:
        keep_or(compose.down)
        raise AssertionError(f"{error}\n{compose.diagnostics()}") from None
    yield compose
    keep_or(compose.down)


def health() -> dict[str, object]:
    response = request("GET", f"{PROXY}/health")
    assert response is not None and response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def test_the_newer_release_runs_with_its_migration_and_data(
    newer_stack: Compose, versions: Versions
) -> None:
    assert health()["version"] == versions.newer
    assert status("POST", f"{PROXY}/processes/rollback", json={"id": "kept"}) == 201
    ready = request("GET", f"{PROXY}/health/ready")
    assert ready is not None and ready.json()["migrations"]["current"] == "9999"


def test_rollback_returns_to_the_previous_release_and_keeps_the_data(
    newer_stack: Compose, versions: Versions
) -> None:
    ok(
        ["scripts/rollback.sh", "-p", PROJECT, "-f", "docker-compose.prod.yml", versions.previous],
        env=newer_stack.env,
        timeout=600,
    )
    ready = request("GET", f"{PROXY}/health/ready")
    kept = request("GET", f"{PROXY}/processes/rollback/kept")
    images = {
        c["Config"]["Image"] for c in inspect(*newer_stack.ids("api"), *newer_stack.ids("worker"))
    }

    assert health()["version"] == versions.previous
    assert ready is not None and ready.status_code == 200
    assert ready.json()["status"] == "UP"
    assert ready.json()["migrations"]["status"] == "ahead"
    assert kept is not None and kept.status_code == 200
    assert kept.json()["id"] == "kept"
    assert images == {f"{NAME}:{versions.previous}"}
    assert len(newer_stack.ids("api")) == 2
    assert status("POST", f"{PROXY}/processes/rollback", json={"id": "after"}) == 201


def test_rollback_to_a_version_that_does_not_exist_stops_before_touching_the_stack(
    newer_stack: Compose,
) -> None:
    before = set(newer_stack.ids())
    result = run(
        ["scripts/rollback.sh", "-p", PROJECT, "-f", "docker-compose.prod.yml", "0.0.0-missing"],
        env=newer_stack.env,
        timeout=300,
    )

    assert result.returncode == 1, output(result)
    assert "does not exist: is 0.0.0-missing a release?" in result.stderr, output(result)
    assert set(newer_stack.ids()) == before
