"""CHANGELOG.md follows Keep a Changelog, and scripts/changelog.py reads it for a release."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "changelog.py"

RELEASED = """\
# Changelog

## [Unreleased]

### Added
- Something new.

## [0.2.0] - 2026-12-01

### Fixed
- A fix.

## [0.1.0] - 2026-11-01

### Added
- The first release.

[Unreleased]: https://example.org/compare/v0.2.0...HEAD
[0.2.0]: https://example.org/compare/v0.1.0...v0.2.0
[0.1.0]: https://example.org/releases/tag/v0.1.0
"""


def changelog(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "changelog.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "changelog.py").write_bytes(SCRIPT.read_bytes())
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "totrackit"\nversion = "0.2.0"\n')
    (tmp_path / "CHANGELOG.md").write_text(RELEASED)
    return tmp_path


def test_the_changelog_follows_keep_a_changelog() -> None:
    result = changelog("check")

    assert result.returncode == 0, result.stderr
    assert "keepachangelog.com" in (ROOT / "CHANGELOG.md").read_text()


def test_the_version_comes_from_pyproject() -> None:
    from totrackit import __version__

    assert changelog("version").stdout.strip() == __version__


def test_a_release_section_is_its_notes(project: Path) -> None:
    result = changelog("section", "v0.2.0", root=project)

    assert result.stdout == "### Fixed\n- A fix.\n"


def test_the_tag_must_be_the_package_version(project: Path) -> None:
    assert changelog("check-tag", "v0.2.0", root=project).stdout == "0.2.0\n"

    wrong = changelog("check-tag", "v0.3.0", root=project)
    assert wrong.returncode == 1
    assert 'tag v0.3.0 is not the package version 0.2.0: set version = "0.3.0"' in wrong.stderr


def test_a_release_needs_its_section_and_comparison_link(project: Path) -> None:
    (project / "CHANGELOG.md").write_text(RELEASED.replace("[0.2.0]: https", "[0.2.x]: https"))

    result = changelog("check-tag", "v0.2.0", root=project)

    assert result.returncode == 1
    assert "[0.2.0] has no comparison link at the end" in result.stderr


def test_a_release_section_needs_a_date_and_its_place(project: Path) -> None:
    swapped = RELEASED.replace("## [0.2.0] - 2026-12-01", "## [0.2.0]")
    (project / "CHANGELOG.md").write_text(swapped)

    result = changelog("check", root=project)

    assert "[0.2.0] needs a date: ## [0.2.0] - YYYY-MM-DD" in result.stderr
