"""Image tags per compose project: a second project never re-tags the images the first one runs.

The compose files select images by ``TOTRACKIT_IMAGE_NAME:TOTRACKIT_VERSION``. Without a
``TOTRACKIT_VERSION``, the default project (``totrackit``) builds and runs ``:local`` and any
other ``COMPOSE_PROJECT_NAME`` ``:local-PROJECT`` (scripts/image-tag.sh).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from tests.containers.support import ENV, IMAGE_NAME, PREFIX, UI_IMAGE_NAME, ok, run

pytestmark = pytest.mark.containers

SECOND = f"{PREFIX}-second"


def env_for(project: str | None, **extra: str) -> dict[str, str]:
    """A user's shell: no TOTRACKIT_VERSION unless given, the project in COMPOSE_PROJECT_NAME."""
    env = {key: value for key, value in ENV.items() if key != "TOTRACKIT_VERSION"}
    if project is not None:
        env["COMPOSE_PROJECT_NAME"] = project
    return {**env, **extra}


def images_run(env: dict[str, str]) -> dict[str, str]:
    config = yaml.safe_load(
        ok(["scripts/compose.sh", "-f", "docker-compose.yml", "config"], env=env)
    )
    return {name: service["image"] for name, service in config["services"].items()}


def test_the_default_project_runs_the_local_images() -> None:
    for project in (None, "totrackit"):
        images = images_run(env_for(project))

        assert images["api"] == f"{IMAGE_NAME}:local"
        assert images["ui"] == f"{UI_IMAGE_NAME}:local"


def test_another_project_runs_images_of_its_own_tag() -> None:
    images = images_run(env_for(SECOND))

    assert {images[name] for name in ("api", "worker", "migrate")} == {
        f"{IMAGE_NAME}:local-{SECOND}"
    }
    assert images["ui"] == f"{UI_IMAGE_NAME}:local-{SECOND}"


def test_an_explicit_version_wins_in_every_project() -> None:
    images = images_run(env_for(SECOND, TOTRACKIT_VERSION="9.9.9"))

    assert images["api"] == f"{IMAGE_NAME}:9.9.9"


def image_id(reference: str) -> str | None:
    result = run(["docker", "image", "inspect", "-f", "{{json .Id}}", reference])
    return json.loads(result.stdout) if result.returncode == 0 else None


@pytest.fixture
def second_project_tag() -> Iterator[str]:
    tag = f"{IMAGE_NAME}:local-{SECOND}"
    yield tag
    run(["docker", "image", "rm", tag])


def test_building_for_another_project_leaves_the_default_images_alone(
    second_project_tag: str,
) -> None:
    default_before = image_id(f"{IMAGE_NAME}:local")

    ok(["scripts/build-images.sh", "api"], env=env_for(SECOND), timeout=1800)

    assert image_id(second_project_tag) is not None
    assert image_id(f"{IMAGE_NAME}:local") == default_before
