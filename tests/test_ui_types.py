"""The UI's API types come from the app's OpenAPI document and are checked in current.

``ui/openapi.json`` is the export of ``totrackit openapi``; ``ui/src/api/schema.d.ts`` is what
openapi-typescript generates from it. ``make api-types`` regenerates both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.servers import run_cli
from totrackit.app import create_app
from totrackit.settings import Settings

UI = Path(__file__).parent.parent / "ui"
EXPORT = UI / "openapi.json"
SCHEMA = UI / "src" / "api" / "schema.d.ts"
GENERATOR = UI / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
REGENERATE = "regenerate it with: make api-types"


def test_the_openapi_command_prints_the_document_the_app_serves() -> None:
    result = run_cli("openapi")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == create_app(Settings()).openapi()


def test_ui_openapi_json_is_the_current_export(tmp_path: Path) -> None:
    exported = tmp_path / "openapi.json"

    result = run_cli("openapi", "--output", str(exported))

    assert result.returncode == 0, result.stderr
    assert EXPORT.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8"), (
        f"ui/openapi.json differs from the app's OpenAPI document; {REGENERATE}"
    )


def test_schema_d_ts_is_generated_from_ui_openapi_json(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    assert GENERATOR.exists(), "openapi-typescript is missing: run `cd ui && npm ci`"
    generated = tmp_path / "schema.d.ts"

    subprocess.run(
        [node, str(GENERATOR), str(EXPORT), "--output", str(generated)],
        cwd=UI,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert SCHEMA.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        f"ui/src/api/schema.d.ts is not what openapi-typescript makes of ui/openapi.json; {REGENERATE}"
    )
