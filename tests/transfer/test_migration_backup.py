"""``totrackit migrate upgrade`` backs up a SQLite database that holds data before changing it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson

from tests.support.servers import run_cli
from totrackit.db.migrate import head_revision


def test_an_upgrade_of_a_database_with_data_is_preceded_by_a_backup(tmp_path: Path) -> None:
    env = {"TOTRACKIT_DATA_DIR": str(tmp_path)}
    run_cli("migrate", "upgrade", env=env)
    run = {"name": "billing", "id": "inv-1", "status": "ACTIVE", "started_at": 1784469600}
    run_cli("import", "-", env=env, stdin=orjson.dumps(run).decode())
    run_cli("migrate", "downgrade", "--", "-1", env=env)

    upgraded = run_cli("migrate", "upgrade", env=env)
    again = run_cli("migrate", "upgrade", env=env)

    assert upgraded.returncode == 0, upgraded.stderr
    (backup,) = (tmp_path / "backups").glob("totrackit-before-*.zip")
    assert f"Backed up the data before migrating: {backup}" in upgraded.stderr
    manifest = orjson.loads(zipfile.ZipFile(backup).read("manifest.json"))
    assert manifest["schema_revision"] != head_revision()
    assert {t["name"]: t["rows"] for t in manifest["tables"]}["processes"] == 1
    assert "Backed up" not in again.stderr  # at head already: nothing to protect
    elsewhere = {"TOTRACKIT_DATA_DIR": str(tmp_path / "restored")}
    restored = run_cli("restore", str(backup), env=elsewhere)
    assert restored.returncode == 0, restored.stderr
    assert len(run_cli("export", env=elsewhere).stdout.splitlines()) == 1


def test_an_empty_database_is_migrated_without_a_backup(tmp_path: Path) -> None:
    result = run_cli("migrate", "upgrade", env={"TOTRACKIT_DATA_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "backups").glob("*.zip")) == []
