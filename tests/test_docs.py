"""The documentation stays true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from totrackit.settings import FIELDS_BY_NAME
from totrackit.settings.reference import BEGIN, END, render_reference

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"


def test_the_configuration_reference_is_current() -> None:
    text = (DOCS / "configuration.md").read_text()
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()

    assert generated == render_reference(), (
        "docs/configuration.md is stale: regenerate it with python -m totrackit.settings.reference --write docs/configuration.md"
    )


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()

    for name in FIELDS_BY_NAME:
        assert f"TOTRACKIT_{name.upper()}" in text


def _layout_rows() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)/` \|", table, flags=re.MULTILINE)


def test_the_readme_layout_table_matches_the_tree() -> None:
    rows = _layout_rows()
    packages = sorted(
        f"src/totrackit/{path.name}"
        for path in (ROOT / "src" / "totrackit").iterdir()
        if (path / "__init__.py").is_file()
    )

    assert [row for row in rows if not (ROOT / row).is_dir()] == []
    assert [package for package in packages if package not in rows] == []


def test_the_architecture_notes_name_every_package() -> None:
    text = (DOCS / "architecture.md").read_text()
    packages = [
        path.name
        for path in (ROOT / "src" / "totrackit").iterdir()
        if (path / "__init__.py").is_file() and path.name != "__pycache__"
    ]

    assert [name for name in packages if f"{name}/" not in text] == []
