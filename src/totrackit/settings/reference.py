"""The configuration reference in ``docs/configuration.md``, generated from the settings.

``python -m totrackit.settings.reference`` prints it; a test fails when the docs differ.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from totrackit.settings import GROUPS, Settings
from totrackit.settings.sources import variable
from totrackit.settings.types import format_duration

BEGIN = "<!-- settings-reference:start -->"
END = "<!-- settings-reference:end -->"


def _default(field: FieldInfo) -> str:
    value: Any = field.get_default(call_default_factory=True)
    if value is None or value == ():
        return "unset"
    if hasattr(value, "get_secret_value"):
        return "unset" if not value.get_secret_value() else "(hidden)"
    if hasattr(value, "value"):
        value = value.value
    if isinstance(value, timedelta):
        value = format_duration(value)
    return f"`{value}`"


def _row(name: str, field: FieldInfo) -> str:
    description = (field.description or "").replace("|", "\\|")
    return f"| `{variable(name)}` | {_default(field)} | {description} |"


def render_reference() -> str:
    """One Markdown table per settings group: variable, default and meaning."""
    header = ["| variable | default | meaning |", "|---|---|---|"]
    blocks = ["\n".join([*header, _row("env", Settings.model_fields["env"])])]
    for group, model in GROUPS.items():
        rows = [_row(field.alias or name, field) for name, field in model.model_fields.items()]
        title = (model.__doc__ or group).strip().splitlines()[0]
        blocks.append("\n".join([f"### {group}: {title}", "", *header, *rows]))
    return "\n\n".join(blocks)


def rewrite(path: Path) -> None:
    """Replace the generated block of ``path`` (between BEGIN and END) with the current table."""
    text = path.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{render_reference()}\n{END}{tail}")


if __name__ == "__main__":
    # python -m totrackit.settings.reference [--write docs/configuration.md]
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        rewrite(Path(sys.argv[2]))
    else:
        print(render_reference())  # noqa: T201 - printing the table is the point here
