"""The ``totrackit`` command, run as users run it."""

from __future__ import annotations

import importlib.metadata
import inspect
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import click
import httpx
import pytest

from tests.support.servers import run_cli, running_server
from totrackit import __version__
from totrackit.cli.main import cli
from totrackit.db.migrate import head_revision


def test_version() -> None:
    result = run_cli("version")

    assert result.returncode == 0
    assert result.stdout.strip() == __version__


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_flag_agrees_with_the_command_and_the_package(flag: str) -> None:
    result = run_cli(flag)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == run_cli("version").stdout.strip()
    assert result.stdout.strip() == importlib.metadata.version("totrackit")


def every_group(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_group(command, (*path, name))


@pytest.mark.parametrize("path", list(every_group(cli)), ids=lambda path: " ".join(path) or "top")
def test_help_lists_every_command_with_its_whole_summary(path: tuple[str, ...]) -> None:
    group = cli
    for name in path:
        group = group.commands[name]  # type: ignore[assignment]
    result = run_cli(*path, "--help", env={"COLUMNS": "80"})
    listing = " ".join(result.stdout.split("Commands:", 1)[1].split())

    assert "..." not in listing
    for name, command in group.commands.items():
        first_paragraph = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
        assert f"{name} {first_paragraph}" in listing


def test_migrate_upgrade_current_downgrade(tmp_path: Path) -> None:
    env = {"TOTRACKIT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    before = run_cli("migrate", "current", env=env)
    upgraded = run_cli("migrate", "upgrade", env=env)
    after = run_cli("migrate", "current", env=env)
    downgraded = run_cli("migrate", "downgrade", "base", env=env)

    assert "current: none" in before.stdout
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"current: {head_revision()}" in after.stdout
    assert downgraded.returncode == 0, downgraded.stderr
    assert "current: none" in run_cli("migrate", "current", env=env).stdout


def test_a_bad_setting_exits_78_naming_the_variable() -> None:
    result = run_cli(
        "migrate",
        "current",
        env={"TOTRACKIT_PORT": "eighty", "TOTRACKIT_DATABASE_URL": "mysql://x/y"},
    )

    assert result.returncode == 78
    assert "TOTRACKIT_PORT" in result.stderr
    assert "TOTRACKIT_DATABASE_URL" in result.stderr


def test_serve_migrates_an_empty_data_dir_and_answers(tmp_path: Path) -> None:
    with running_server(data_dir=tmp_path / "data") as server:
        created = httpx.post(f"{server.url}/processes/demo", json={"id": "run-1"})
        listed = httpx.get(f"{server.url}/processes/")

    assert created.status_code == 201
    assert listed.json()["total"] == 1
    assert (tmp_path / "data" / "totrackit.db").exists()


def test_api_role_serves_the_same_api(tmp_path: Path) -> None:
    with running_server(data_dir=tmp_path / "data", command="api") as server:
        assert httpx.get(f"{server.url}/analytics/summary").status_code == 200


def test_data_survives_a_restart(tmp_path: Path) -> None:
    with running_server(data_dir=tmp_path / "data") as server:
        httpx.post(f"{server.url}/processes/demo", json={"id": "run-1"})
    with running_server(data_dir=tmp_path / "data") as server:
        assert httpx.get(f"{server.url}/processes/demo/run-1").status_code == 200


def test_sigterm_drains_with_readiness_down_then_exits_cleanly(tmp_path: Path) -> None:
    env = {"TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "2"}
    with running_server(data_dir=tmp_path / "data", env=env) as server:
        assert httpx.get(f"{server.url}/health/ready").status_code == 200
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)

        ready = httpx.get(f"{server.url}/health/ready")
        still_serving = httpx.get(f"{server.url}/processes/")

        assert ready.status_code == 503
        assert ready.json()["reason"].startswith("draining")
        assert still_serving.status_code == 200
        assert server.process.wait(timeout=20) == 0
