"""413 for request bodies over TOTRACKIT_MAX_BODY_BYTES (TOTRACKIT_IMPORT_MAX_BYTES for
uploads to /imports), declared or streamed; a limit of 0 is no limit."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from totrackit.errors import ErrorCode
from totrackit.web.asgi import send_json_error


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit; rendered as 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body larger than {max_bytes} bytes")


class BodyLimitMiddleware:
    """413 for bodies over ``max_bytes``: by Content-Length up front, else while streaming."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope["path"], self.max_bytes)
        length, chunked = _body_framing(scope)
        if not limit:
            await self.app(scope, receive, send)
        elif length is not None and length > limit:
            await self._too_large(scope, send, limit)
        elif chunked or (length is None and scope.get("http_version") == "2"):
            await self._counted(scope, receive, send, limit)
        else:
            # A declared length is all the server passes on, and an HTTP/1 request with neither
            # Content-Length nor Transfer-Encoding has no body: nothing to count.
            await self.app(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, send, limit)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await send_json_error(
            send,
            status=413,
            code=ErrorCode.PAYLOAD_TOO_LARGE,
            message=BodyTooLarge(limit).detail,
            path=scope["path"],
            headers=[(b"connection", b"close")],
        )


def _body_framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None if absent or invalid) and whether the body is chunked."""
    length, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                chunked = True  # count it, as if undeclared
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked
