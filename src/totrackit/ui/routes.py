"""The web UI's static files: hashed assets cached forever, ``index.html`` always revalidated.

``make ui`` (or the package build) copies ``ui/dist`` into ``totrackit/ui/static``; without it the
root page explains how to build the UI and the API works as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from totrackit.web.paths import UI_FILES, UI_PAGES

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ToTrackIt</title>
</head><body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>ToTrackIt</h1><p>The API is running, but the web UI was not built into this installation.
Build it with <code>make ui</code> (needs Node.js 20.19+), or browse the API at
<a href="/docs">/docs</a>.</p></body></html>"""


class ImmutableAssets(StaticFiles):
    """Vite puts a content hash in every asset name, so a cached copy never goes stale."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def ui_built(static_dir: Path = STATIC_DIR) -> bool:
    """Whether the built UI is there (``make ui``, or a package built with it)."""
    return (static_dir / "index.html").is_file()


def mount_ui(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Serve ``/`` (and ``/index.html``) and ``/assets/*`` from the built UI, if present."""
    index = static_dir / "index.html"

    async def index_page() -> Response:
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, headers={"Cache-Control": REVALIDATE})
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})

    for path in UI_PAGES:
        app.add_api_route(path, index_page, methods=["GET", "HEAD"], include_in_schema=False)
    assets = static_dir / "assets"
    if assets.is_dir():
        app.mount("/assets", ImmutableAssets(directory=assets), name="ui-assets")
    for extra in UI_FILES:
        if (static_dir / extra).is_file():
            app.add_api_route(
                f"/{extra}",
                _file_route(static_dir / extra),
                methods=["GET", "HEAD"],
                include_in_schema=False,
            )


def _file_route(path: Path) -> Callable[[], Awaitable[Response]]:
    async def serve() -> Response:
        return FileResponse(path, headers={"Cache-Control": REVALIDATE})

    return serve
