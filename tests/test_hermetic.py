"""The suite is hermetic: the shell's settings variables do not reach what it tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from totrackit.settings import FIELDS_BY_NAME, Settings
from totrackit.settings.sources import variable

ROOT = Path(__file__).resolve().parent.parent


def test_no_service_variable_of_the_shell_is_visible_to_the_tests() -> None:
    settings_variables = {variable(name) for name in FIELDS_BY_NAME}
    leaked = [key for key in os.environ if key.removesuffix("_FILE") in settings_variables]

    assert leaked == []


def test_settings_built_in_code_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOTRACKIT_PORT", "9999")

    assert Settings().server.port == 8080
    assert Settings.from_environment().server.port == 9999


def test_an_api_key_in_the_shell_does_not_fail_the_api_tests() -> None:
    environment = {**os.environ, "TOTRACKIT_API_KEY": "from-the-shell", "TOTRACKIT_PORT": "1"}
    environment.pop("PYTEST_CURRENT_TEST", None)

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_hermetic.py::test_no_service_variable_of_the_shell_is_visible_to_the_tests",
            "tests/processes/test_create.py",
            "-k",
            "sqlite or visible",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-2000:]
