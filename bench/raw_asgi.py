"""The L_http denominator: the smallest ASGI app that answers a fixed JSON body."""

from __future__ import annotations

from typing import Any

BODY = b'{"status":"UP","timestamp":"2026-01-01T00:00:00Z","version":"bench","components":{}}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
