"""Every migration says whether it expands or contracts the schema (OPERATIONS.md G5), new
revisions are written with the mark, and the rule is documented where schema changes are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.script import Script

from tests.support.servers import run_cli
from totrackit.db import migrate

ARCHITECTURE = Path(__file__).parents[2] / "docs" / "architecture.md"


@pytest.mark.parametrize("revision", migrate.revisions(), ids=lambda script: script.revision)
def test_every_revision_is_marked_expand_or_contract(revision: Script) -> None:
    phase = getattr(revision.module, "phase", None)

    assert phase in migrate.PHASES, (
        f"{Path(revision.path).name} needs a module-level phase = 'expand' or 'contract' "
        "(see 'Changing the schema' in docs/architecture.md)"
    )


def write_revision(*args: str) -> str:
    """The text of the revision ``totrackit migrate revision ARGS`` writes (then removed)."""
    result = run_cli("migrate", "revision", *args)
    assert result.returncode == 0, result.stderr
    written = Path(re.findall(r"^Wrote (.+)$", result.stdout, flags=re.MULTILINE)[-1])
    try:
        return written.read_text()
    finally:
        written.unlink()


@pytest.mark.parametrize("phase", migrate.PHASES)
def test_a_new_revision_carries_the_phase_it_was_written_with(phase: str) -> None:
    text = write_revision("-m", f"a {phase} step", "--phase", phase)

    assert f"phase: str = '{phase}'" in text


def test_a_new_revision_expands_unless_told_otherwise() -> None:
    assert "phase: str = 'expand'" in write_revision("-m", "an unmarked step")


def test_an_unknown_phase_is_refused_naming_the_choices() -> None:
    result = run_cli("migrate", "revision", "-m", "a step", "--phase", "shrink")

    assert result.returncode == 2
    assert "'expand'" in result.stderr and "'contract'" in result.stderr


def test_the_architecture_guide_explains_both_phases() -> None:
    section = ARCHITECTURE.read_text().split("## Changing the schema", 1)[1].split("\n## ", 1)[0]

    assert "`phase`" in section
    assert "expand" in section and "contract" in section and "N-1" in section
