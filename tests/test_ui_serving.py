"""The service serves the built web UI with the right caching, and says so when it is absent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support import FakeClock
from totrackit.app import create_app
from totrackit.settings import Settings

INDEX = "<!doctype html><title>ToTrackIt</title><script src='/assets/app-1a2b3c.js'></script>"


@pytest.fixture
def built_ui(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-1a2b3c.js").write_text("console.log('ui');" * 200)
    return tmp_path


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=FakeClock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def ui_client(built_ui: Path, sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(Settings(database_url=sqlite_url, ui_dir=built_ui)):
        yield client


async def test_the_root_serves_index_html_revalidated(ui_client: httpx.AsyncClient) -> None:
    for path in ("/", "/index.html", "/?process=account-activation/run-1"):
        response = await ui_client.get(path)
        assert response.status_code == 200
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_immutable_and_compressed(ui_client: httpx.AsyncClient) -> None:
    response = await ui_client.get("/assets/app-1a2b3c.js", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert response.text.startswith("console.log")


async def test_a_missing_asset_is_404(ui_client: httpx.AsyncClient) -> None:
    assert (await ui_client.get("/assets/nope.js")).status_code == 404


async def test_api_routes_are_unchanged_beside_the_ui(ui_client: httpx.AsyncClient) -> None:
    assert (await ui_client.get("/processes/")).json()["data"] == []


async def test_without_a_built_ui_the_root_explains_how_to_build_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url, ui_dir=tmp_path / "empty")
    async for client in client_for(settings):
        response = await client.get("/")
        assert response.status_code == 200
        assert "make ui" in response.text
