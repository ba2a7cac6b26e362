"""Configuration: every problem at once with its fix, exit 78, secrets from files, production rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.servers import run_cli


def test_config_check_accepts_a_valid_environment(tmp_path: Path) -> None:
    result = run_cli("config", "check", env={"TOTRACKIT_DATA_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert "Configuration is valid." in result.stdout
    assert "sqlite" in result.stdout


def test_every_problem_is_reported_at_once_with_the_fix() -> None:
    env = {
        "TOTRACKIT_PORT": "eighty",
        "TOTRACKIT_DATABASE_URL": "mysql://x/y",
        "TOTRACKIT_LIST_EXACT_COUNT_LIMIT": "-5",
    }

    result = run_cli("config", "check", env=env)

    assert result.returncode == 78
    assert "3 problems; nothing was started" in result.stderr
    for variable in env:
        assert f"  {variable}" in result.stderr
        assert f"see: docs/configuration.md ({variable})" in result.stderr
    assert "TOTRACKIT_PORT='eighty'" in result.stderr
    assert "expected: Port the HTTP server listens on." in result.stderr


def test_secret_values_are_never_echoed() -> None:
    result = run_cli(
        "config", "check", env={"TOTRACKIT_DATABASE_URL": "oracle://user:hunter2@db/x"}
    )

    assert result.returncode == 78
    assert "hunter2" not in result.stderr + result.stdout


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    key_file = tmp_path / "api-key"
    key_file.write_text("from-a-file\n")
    url_file = tmp_path / "db-url"
    url_file.write_text(f"sqlite:///{tmp_path / 'x.db'}\n")

    result = run_cli(
        "config",
        "check",
        env={"TOTRACKIT_API_KEY_FILE": str(key_file), "TOTRACKIT_DATABASE_URL_FILE": str(url_file)},
    )

    assert result.returncode == 0, result.stderr
    assert "API key:     required" in result.stdout
    assert str(tmp_path / "x.db") in result.stdout


def test_an_unreadable_secret_file_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_cli(
        "config", "check", env={"TOTRACKIT_DB_PASSWORD_FILE": str(tmp_path / "missing")}
    )

    assert result.returncode == 78
    assert "TOTRACKIT_DB_PASSWORD_FILE: cannot read" in result.stderr


def test_a_secret_and_its_file_together_are_ambiguous(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("one")

    result = run_cli(
        "config",
        "check",
        env={"TOTRACKIT_API_KEY": "two", "TOTRACKIT_API_KEY_FILE": str(secret)},
    )

    assert result.returncode == 78
    assert "both TOTRACKIT_API_KEY and TOTRACKIT_API_KEY_FILE are set" in result.stderr


def test_production_refuses_empty_and_placeholder_secrets() -> None:
    env = {
        "TOTRACKIT_ENV": "production",
        "TOTRACKIT_DB_HOST": "db.internal",
        "TOTRACKIT_API_KEY": "changeme",
    }

    result = run_cli("config", "check", env=env)

    assert result.returncode == 78
    assert "TOTRACKIT_DB_PASSWORD: PostgreSQL needs a password in production" in result.stderr
    assert "TOTRACKIT_API_KEY: the API key is a well-known placeholder" in result.stderr
    assert "changeme" not in result.stderr


def test_production_accepts_real_secrets() -> None:
    env = {
        "TOTRACKIT_ENV": "production",
        "TOTRACKIT_DB_HOST": "db.internal",
        "TOTRACKIT_DB_PASSWORD": "k7#Qp9!vT2mZ",
    }

    result = run_cli("config", "check", env=env)

    assert result.returncode == 0, result.stderr
    assert "k7#Qp9" not in result.stdout


def test_every_deployment_variable_is_known_so_it_is_never_warned_about() -> None:
    """Compose files, images and scripts use ``TOTRACKIT_*`` names the service does not read;
    a name there that is neither a setting nor registered would be warned about at start-up."""
    import re
    import subprocess
    from pathlib import Path

    from totrackit.settings import FIELDS_BY_NAME
    from totrackit.settings.sources import DEPLOYMENT_VARIABLES, TEST_ONLY_PREFIX, variable

    root = Path(__file__).parent.parent
    tracked = subprocess.run(
        [
            "git",
            "ls-files",
            "docker-compose*.yml",
            ".env.example",
            "scripts",
            "deploy",
            "ci",
            ".ci",
            "Makefile",
            "ui/e2e",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    settings = {variable(name) for name in FIELDS_BY_NAME}
    settings |= {f"{key}_FILE" for key in settings}
    used = {
        name
        for path in tracked
        if (root / path).is_file() and not path.endswith(".png")
        for name in re.findall(
            r"TOTRACKIT_[A-Z0-9_]*[A-Z0-9]", (root / path).read_text(errors="ignore")
        )
    }
    unknown = sorted(
        name
        for name in used - settings - DEPLOYMENT_VARIABLES
        if not name.startswith(TEST_ONLY_PREFIX)
    )

    assert unknown == []


def test_a_misspelt_setting_is_named_with_the_closest_known_one() -> None:
    from totrackit.settings import Settings

    environ = {
        "TOTRACKIT_PROT": "9000",
        "TOTRACKIT_PORT": "9001",
        "TOTRACKIT_VERSION": "0.1.0",  # a compose variable, not a setting
        "TOTRACKIT_TEST_DATABASE_URL": "postgresql://test",  # the test suite's own
        "TOTRACKIT_API_KEY_FILE": "/run/secrets/key",
    }

    assert Settings.unknown_variables(environ) == ["TOTRACKIT_PROT (did you mean TOTRACKIT_PORT?)"]


def test_config_check_warns_about_unknown_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from totrackit.cli.main import cli

    monkeypatch.setenv("TOTRACKIT_PROT", "9000")

    result = CliRunner().invoke(cli, ["config", "check"])

    assert result.exit_code == 0
    assert (
        "TOTRACKIT_PROT (did you mean TOTRACKIT_PORT?) is not a ToTrackIt setting" in result.output
    )
