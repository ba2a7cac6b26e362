"""The X-API-KEY check on /processes/** (contract 1.11), as pure ASGI middleware."""

from __future__ import annotations

import hmac

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from totrackit.web.errors import error_body

PROTECTED_PREFIX = "/processes"
UNAUTHORIZED_MESSAGE = "Missing or invalid X-API-KEY header"


class ApiKeyMiddleware:
    """Requires the configured key on every method under /processes, before routing."""

    def __init__(self, app: ASGIApp, *, api_key: str) -> None:
        self.app = app
        self._expected = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_protected(scope["path"]) or self._authorised(scope):
            await self.app(scope, receive, send)
            return
        body = orjson.dumps(
            error_body(code="UNAUTHORIZED", message=UNAUTHORIZED_MESSAGE, path=scope["path"])
        )
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _authorised(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                return hmac.compare_digest(value, self._expected)
        return False


def _is_protected(path: str) -> bool:
    return path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")
