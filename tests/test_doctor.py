"""``totrackit doctor``: each check reported with its fix; exit 1 when one fails."""

from __future__ import annotations

from pathlib import Path

from tests.support.servers import run_cli


def test_a_healthy_sqlite_installation_passes(tmp_path: Path) -> None:
    env = {"TOTRACKIT_DATA_DIR": str(tmp_path)}
    run_cli("migrate", "upgrade", env=env)

    result = run_cli("doctor", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "[OK  ] migrations: schema at head" in result.stdout
    assert "[OK  ] disk:" in result.stdout


def test_an_unmigrated_database_and_a_dead_webhook_fail_with_their_fixes(tmp_path: Path) -> None:
    env = {"TOTRACKIT_DATA_DIR": str(tmp_path), "TOTRACKIT_WEBHOOK_URL": "http://127.0.0.1:9/hook"}

    result = run_cli("doctor", env=env)

    assert result.returncode == 1
    assert "[FAIL] migrations: schema at none" in result.stdout
    assert "fix: run `totrackit migrate upgrade`" in result.stdout
    assert "[FAIL] webhook: http://127.0.0.1:9/hook does not answer" in result.stdout


def test_postgresql_reports_clock_skew(postgresql_url: str) -> None:
    result = run_cli("doctor", env={"TOTRACKIT_DATABASE_URL": postgresql_url})

    assert "clock: service and database differ by" in result.stdout
