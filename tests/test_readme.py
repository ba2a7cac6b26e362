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


def section(title: str) -> str:
    text = README.read_text()
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_run_section_names_the_prerequisites_and_the_demo() -> None:
    run = " ".join(section("Run it").split())

    for prerequisite in ("Python 3.11+", "Node.js 20.19+", "`make`"):
        assert prerequisite in run
    assert "make demo" in run
    assert "NO_UI=1" in run


def test_curl_examples_show_the_json_error_of_a_refused_call() -> None:
    # -f hides the body of a 4xx; --fail-with-body fails as well and prints the error.
    calls = [line for block in readme_examples() for line in block.splitlines() if "curl " in line]

    assert calls
    assert all("--fail-with-body" in line for line in calls)
    assert not re.search(r"curl -\w*f", README.read_text())


def test_a_second_create_shows_its_json_error(tmp_path: Path) -> None:
    first = readme_examples()[0]
    with running_server(data_dir=tmp_path / "data") as server:
        script = first.replace("http://localhost:8080", server.url)
        run = ["bash", "-euo", "pipefail", "-c", script]
        subprocess.run(run, capture_output=True, text=True, timeout=30, check=True)
        again = subprocess.run(run, capture_output=True, text=True, timeout=30)

    assert again.returncode != 0
    assert '"error":' in again.stdout


def test_the_container_section_mentions_the_offline_mode() -> None:
    containers = " ".join(
        README.read_text().split("### In containers", 1)[1].split("\n## ")[0].split()
    )

    assert "TOTRACKIT_OFFLINE_IMAGES=1" in containers
    assert "ci/offline-images/build.sh" in containers
