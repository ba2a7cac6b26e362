"""Today's service, in process, on a database a test prepared itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from totrackit.app import create_app
from totrackit.settings import Settings


@asynccontextmanager
async def service(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of today's app on the database at ``url`` (which it does not migrate)."""
    app = create_app(Settings(database_url=url, env="test", auto_migrate=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
