"""The Python package is whole: built from a clean copy, its wheel and sdist carry the web UI.

One build of each kind, from a copy of the repository as a fresh clone has it (the tracked and
not-ignored files; no node_modules, no built UI): ``uv build`` makes the sdist (running the UI
build through hatch_build.py) and the wheel from that sdist, as ``python -m build`` does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest

from tests.support.servers import running_server

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
STATIC = "totrackit/ui/static"


def clean_copy(destination: Path) -> Path:
    """The working tree as a clone of it would be: tracked and untracked, not ignored, files."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def uv(*args: str | Path, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "uv", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {}), "UV_NO_PROGRESS": "1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def path_without_node(tmp: Path) -> str:
    """A PATH with git and nothing else: no node, no npm."""
    tools = tmp / "bin"
    tools.mkdir()
    git = shutil.which("git")
    assert git is not None
    (tools / "git").symlink_to(git)
    assert shutil.which("npm", path=str(tools)) is None
    return str(tools)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = clean_copy(tmp_path_factory.mktemp("clone"))
    assert not (tree / "src" / STATIC).exists(), "a clean copy has no built UI"
    out = tmp_path_factory.mktemp("dist")
    uv("build", "--python", sys.executable, "--out-dir", out, cwd=tree)
    return out


def only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def test_the_wheel_carries_the_built_ui(dist: Path) -> None:
    with zipfile.ZipFile(only(dist, "*.whl")) as wheel:
        names = wheel.namelist()

    assert f"{STATIC}/index.html" in names
    assert any(n.startswith(f"{STATIC}/assets/") and n.endswith(".js") for n in names)
    assert any(n.startswith(f"{STATIC}/assets/") and n.endswith(".css") for n in names)


def test_the_sdist_carries_the_built_ui_and_the_build_hook(dist: Path) -> None:
    sdist = only(dist, "*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    assert f"src/{STATIC}/index.html" in names
    assert "hatch_build.py" in names
    assert not any(name.startswith("ui/") for name in names), "the built UI, not its sources"


def test_a_wheel_builds_from_the_sdist_without_node(dist: Path, tmp_path: Path) -> None:
    path = path_without_node(tmp_path)
    out = tmp_path / "out"

    uv(
        "build",
        "--wheel",
        "--python",
        sys.executable,
        "--out-dir",
        out,
        only(dist, "*.tar.gz"),
        cwd=tmp_path,
        env={"PATH": path},
    )

    assert f"{STATIC}/index.html" in zipfile.ZipFile(only(out, "*.whl")).namelist()


def test_the_installed_wheel_serves_the_ui(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    uv("venv", "--python", sys.executable, venv, cwd=tmp_path)
    python = str(venv / "bin" / "python")
    uv("pip", "install", "--python", python, only(dist, "*.whl"), cwd=tmp_path)

    with running_server(data_dir=tmp_path / "data", python=python) as server:
        page = httpx.get(f"{server.url}/", timeout=10)
        asset = page.text.split('src="', 1)[1].split('"', 1)[0]
        script = httpx.get(f"{server.url}{asset}", timeout=10)

    assert page.status_code == 200
    assert '<div id="root">' in page.text
    assert asset.startswith("/assets/")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_without_node_and_without_a_built_ui_the_build_says_what_to_do(tmp_path: Path) -> None:
    tree = clean_copy(tmp_path / "clone")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "build",
            "--wheel",
            "--python",
            sys.executable,
            "--out-dir",
            str(tmp_path / "out"),
            ".",
        ],
        cwd=tree,
        env={**os.environ, "PATH": path_without_node(tmp_path), "UV_NO_PROGRESS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode != 0
    assert "The web UI is not built" in result.stderr
    assert "Node.js is not installed (no `npm` on PATH)" in result.stderr
    assert "install a released wheel or sdist instead" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.whl"))
