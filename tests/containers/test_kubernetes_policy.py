"""checkov's Kubernetes checks over every rendered overlay and combination: no failed check.

A check that does not apply is skipped with its reason, either project-wide in
deploy/kubernetes/.checkov.yaml or in a ``checkov.io/skipN: CHECK=reason`` annotation on the
resource; a skip without a reason fails here. Marked ``containers`` because checkov installs
into a venv of its own (conftest.py); it needs no Docker engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.containers.support import ROOT, run
from tests.support.kubernetes import COMBINATIONS, POLICY, command, render_text

pytestmark = pytest.mark.containers


def scan(checkov: Path, file: Path) -> dict[str, Any]:
    args = command(POLICY, file=str(file))
    result = run([checkov, *args[1:], "--output", "json"], timeout=600)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    ("overlay", "components"),
    COMBINATIONS,
    ids=["+".join((overlay, *components)) for overlay, components in COMBINATIONS],
)
def test_no_policy_finding_is_left_unexplained(
    checkov: Path, tmp_path: Path, overlay: str, components: tuple[str, ...]
) -> None:
    file = tmp_path / "rendered.yaml"
    file.write_text(render_text(overlay, components))

    report = scan(checkov, file)
    results = report["results"]

    failed = [(c["check_id"], c["check_name"], c["resource"]) for c in results["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 100
    unexplained = [
        (c["check_id"], c["resource"])
        for c in results.get("skipped_checks", [])
        if not (c.get("check_result", {}).get("suppress_comment") or "").strip()
    ]
    assert unexplained == []


def test_a_privileged_container_is_a_finding(checkov: Path, tmp_path: Path) -> None:
    """The scan reads the rendered files: a weakened pod would fail the test above."""
    text = render_text("dev").replace("allowPrivilegeEscalation: false", "privileged: true", 1)
    file = tmp_path / "weakened.yaml"
    file.write_text(text)

    failed = {c["check_id"] for c in scan(checkov, file)["results"]["failed_checks"]}

    assert {"CKV_K8S_16", "CKV_K8S_20"} <= failed


def test_the_project_wide_skips_carry_their_reasons() -> None:
    config = (ROOT / "deploy/kubernetes/.checkov.yaml").read_text()
    skipped = [line.strip()[2:] for line in config.splitlines() if line.strip().startswith("- CKV")]

    assert skipped
    for check in skipped:
        assert f"# {check} " in config, f"{check} is skipped without a reason"
