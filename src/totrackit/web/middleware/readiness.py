"""Until the database is ready, API calls get a clear 503 instead of failing one by one."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from totrackit.errors import ErrorCode
from totrackit.lifecycle import Lifecycle
from totrackit.web.asgi import send_json_error
from totrackit.web.paths import is_operational


class ReadinessGate:
    def __init__(self, app: ASGIApp, *, lifecycle: Lifecycle) -> None:
        self.app = app
        self.lifecycle = lifecycle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.lifecycle.ready or scope["type"] != "http" or is_operational(scope["path"]):
            await self.app(scope, receive, send)
            return
        await send_json_error(
            send,
            status=503,
            code=ErrorCode.STARTING,
            message=f"ToTrackIt is starting: waiting for the {self.lifecycle.waiting_for}.",
            path=scope["path"],
            headers=[(b"retry-after", b"5")],
        )
