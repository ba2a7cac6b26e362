"""Until the database is ready, API calls get a clear 503 instead of failing one by one."""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from totrackit.lifecycle import Lifecycle
from totrackit.web.errors import error_body

# Paths that work without a database: probes, metrics, documentation and the UI's files.
ALWAYS_OPEN = ("/health", "/metrics", "/prometheus", "/openapi", "/docs", "/swagger-ui", "/assets")
ROOT_PAGES = ("/", "/index.html")


class ReadinessGate:
    def __init__(self, app: ASGIApp, *, lifecycle: Lifecycle) -> None:
        self.app = app
        self.lifecycle = lifecycle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.lifecycle.ready or scope["type"] != "http" or _always_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        message = f"ToTrackIt is starting: waiting for the {self.lifecycle.waiting_for}."
        body = orjson.dumps(error_body(code="STARTING", message=message, path=scope["path"]))
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", b"5"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _always_open(path: str) -> bool:
    return path in ROOT_PAGES or path.startswith(ALWAYS_OPEN)
