"""The X-API-KEY check on /processes/** (contract 1.11)."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from totrackit.errors import ErrorCode
from totrackit.web.asgi import send_json_error
from totrackit.web.paths import is_protected

UNAUTHORIZED_MESSAGE = "Missing or invalid X-API-KEY header"


class ApiKeyMiddleware:
    """Requires the configured key on every method under /processes, before routing."""

    def __init__(self, app: ASGIApp, *, api_key: str) -> None:
        self.app = app
        self._expected = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_protected(scope["path"]) or self._authorised(scope):
            await self.app(scope, receive, send)
            return
        await send_json_error(
            send,
            status=401,
            code=ErrorCode.UNAUTHORIZED,
            message=UNAUTHORIZED_MESSAGE,
            path=scope["path"],
        )

    def _authorised(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                return hmac.compare_digest(value, self._expected)
        return False
