"""The README's curl examples work, copied and pasted against a running server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.servers import running_server

README = Path(__file__).parent.parent / "README.md"


def readme_examples() -> list[str]:
    text = README.read_text()
    section = text.split("<!-- readme-examples:start -->", 1)[1].split(
        "<!-- readme-examples:end -->"
    )[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(readme_examples()) >= 5


def test_every_example_runs_in_order_against_a_live_server(tmp_path: Path) -> None:
    with running_server(data_dir=tmp_path / "data") as server:
        for example in readme_examples():
            script = example.replace("http://localhost:8080", server.url)
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if result.returncode != 0:
                pytest.fail(f"README example failed:\n{example}\n{result.stdout}{result.stderr}")
