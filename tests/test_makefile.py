"""The Makefile's run tasks, as a new user meets them: without Node.js, and with sample data."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).parent.parent


def make(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"PATH": path} if path is not None else {})}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_every_npm_command_is_checked_for_node_first() -> None:
    # -B: as if nothing were built; -n: print the commands without running them.
    for target in ("ui", "api-types"):
        commands = make("-n", "-B", target).stdout.splitlines()
        npm = [i for i, line in enumerate(commands) if "npm " in line]
        checks = [i for i, line in enumerate(commands) if "scripts/check-node.sh" in line]
        assert npm, target
        assert len(checks) == len(npm)
        assert all(check < command for check, command in zip(checks, npm, strict=True))


def test_building_the_ui_without_node_says_what_to_do(tmp_path: Path) -> None:
    # A PATH with the tools make needs, but no node or npm.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("make", "bash", "sh", "find", "env"):
        found = shutil.which(tool)
        assert found, tool
        (tools / tool).symlink_to(found)

    result = make("-B", "ui", path=str(tools))

    assert result.returncode != 0
    assert "Building the web UI needs Node.js 20.19+ with npm: node was not found" in result.stderr
    assert "make run NO_UI=1" in result.stderr
    assert "command not found" not in result.stderr


def test_run_without_the_ui_runs_no_npm_and_points_to_the_demo() -> None:
    commands = make("-n", "-B", "run", "NO_UI=1").stdout

    assert "npm " not in commands
    assert "make demo" in commands
    assert "totrackit serve" in commands


def test_demo_seeds_its_own_database_once_then_serves_it() -> None:
    commands = make("-n", "demo", "NO_UI=1").stdout

    assert "TOTRACKIT_DATA_DIR=data/demo" in commands
    assert "totrackit seed --runs" in commands
    assert commands.index("totrackit seed") < commands.rindex("totrackit serve")
