"""The documentation stays true to the code."""

from __future__ import annotations

from pathlib import Path

from totrackit.settings import FIELDS_BY_NAME
from totrackit.settings.reference import BEGIN, END, render_reference

DOCS = Path(__file__).parent.parent / "docs"


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
