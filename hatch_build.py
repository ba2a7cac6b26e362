"""Build hook: every wheel and sdist carries the built web UI (src/totrackit/ui/static).

The UI is a Vite app in ui/. When the package is built from a checkout (``pip install .``,
``python -m build``, ``uv build``), this hook builds it with ``npm ci`` and ``npm run build`` if
the built copy is missing or older than its sources, the same recipe as ``make ui``. An sdist
carries the built UI and no ui/ sources, so a wheel built from it (and an install from either)
needs no Node.js. Without Node.js and without a built UI the build stops and says what to do.

Editable installs (``make install``, ``uv sync``) are left alone: they serve the source tree's
static folder, which ``make ui`` keeps up to date.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

UI_SOURCES = ("src", "public", "index.html", "package.json", "package-lock.json", "vite.config.ts")
STATIC = Path("src", "totrackit", "ui", "static")
NO_NODE = """\
The web UI is not built ({static}/index.html is missing) and Node.js is not installed (no `npm` on PATH).
A ToTrackIt package without its UI would serve no web interface. Either:
  - install Node.js 20.19 or newer and build again (this build then runs `npm ci && npm run build` in ui/), or
  - build the UI elsewhere and put it in {static} (`make ui` does that), or
  - install a released wheel or sdist instead: they carry the built UI and need no Node.js."""


class UIBuildError(RuntimeError):
    """The package cannot be built with its web UI."""


class UIBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        ensure_built_ui(Path(self.root), log=self.app.display_info)


def ensure_built_ui(root: Path, *, log: Callable[[str], None]) -> None:
    """Build the UI into the package unless an up-to-date build is already there."""
    static, ui = root / STATIC, root / "ui"
    index = static / "index.html"
    if index.is_file() and not _newer_sources(ui, than=index.stat().st_mtime):
        return
    npm = shutil.which("npm")
    if npm is None:
        if index.is_file():
            log(f"ui/ changed since {STATIC} was built, but Node.js is missing: packaging it as is")
            return
        raise UIBuildError(NO_NODE.format(static=STATIC))
    if not (ui / "package.json").is_file():
        raise UIBuildError(f"{index} is missing and there are no UI sources in {ui} to build it")
    _build(npm, ui, static, log)


def _newer_sources(ui: Path, *, than: float) -> bool:
    paths = (ui / name for name in UI_SOURCES)
    files = (f for p in paths if p.exists() for f in ([p] if p.is_file() else p.rglob("*")))
    return any(f.is_file() and f.stat().st_mtime > than for f in files)


def _build(npm: str, ui: Path, static: Path, log: Callable[[str], None]) -> None:
    lock = ui / "node_modules" / ".package-lock.json"
    if not lock.is_file() or lock.stat().st_mtime < (ui / "package-lock.json").stat().st_mtime:
        log("Building the web UI: npm ci (ui/)")
        _npm(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], ui)
    log("Building the web UI: npm run build (ui/)")
    _npm(npm, ["run", "--silent", "build"], ui)
    shutil.rmtree(static, ignore_errors=True)
    shutil.copytree(ui / "dist", static)
    log(f"Built the web UI into {static}")


def _npm(npm: str, args: list[str], cwd: Path) -> None:
    result = subprocess.run([npm, *args], cwd=cwd, env=os.environ.copy(), check=False)
    if result.returncode != 0:
        raise UIBuildError(f"`npm {' '.join(args)}` failed in {cwd} (exit {result.returncode})")
