"""One version source, pyproject.toml: every file that names the current release follows it.

The image labels, `totrackit version` and /health are checked on the built image
(tests/containers/test_versions.py); here, the files a release bump must touch.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import totrackit

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_installed_package_reports_the_pyproject_version() -> None:
    assert totrackit.__version__ == VERSION


def test_the_coolify_file_prefills_the_release() -> None:
    prefilled = set(
        re.findall(r"\$\{TOTRACKIT_VERSION:\?([^}]+)\}", (ROOT / "compose.coolify.yml").read_text())
    )

    assert prefilled == {VERSION}


def test_the_kubernetes_tags_are_the_release() -> None:
    tags = {
        str(image["newTag"])
        for path in (ROOT / "deploy" / "kubernetes").rglob("kustomization.yaml")
        for image in (yaml.safe_load(path.read_text()) or {}).get("images", [])
        if image.get("name") == "totrackit" and "newTag" in image
    }

    assert tags
    assert {tag.split("@", 1)[0] for tag in tags} == {VERSION}


def test_every_compose_file_selects_the_totrackit_images_by_totrackit_version() -> None:
    dev = "${TOTRACKIT_DEV_IMAGE:-totrackit:dev}"  # a local build for development, not a release
    # PostgreSQL with pgBackRest (deploy/postgres/Dockerfile) is tagged by its PostgreSQL major.
    postgres = "${TOTRACKIT_POSTGRES_IMAGE:-totrackit-postgres:16}"
    found = [
        (path.name, image)
        for path in sorted(ROOT.glob("*compose*.yml"))
        for image in re.findall(r"^\s*image: (\S+)$", path.read_text(), re.M)
        if "totrackit" in image.lower() and image not in (dev, postgres)
    ]

    assert len(found) >= 5
    assert [(name, image) for name, image in found if ":${TOTRACKIT_VERSION" not in image] == []
