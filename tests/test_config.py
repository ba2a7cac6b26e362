"""Configuration: every problem at once with its fix, exit 78, secrets from files, production rules."""

from __future__ import annotations

from pathlib import Path

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
