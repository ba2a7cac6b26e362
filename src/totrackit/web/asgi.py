"""What pure-ASGI middleware needs to answer by itself or to add response headers."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from starlette.types import Message, Send

from totrackit.errors import ErrorCode
from totrackit.web.errors import error_body

Headers = Iterable[tuple[bytes, bytes]]


async def send_json_error(
    send: Send, *, status: int, code: ErrorCode, message: str, path: str, headers: Headers = ()
) -> None:
    """Answer with the contract's JSON error body, without running the application."""
    body = orjson.dumps(error_body(code=code, message=message, path=path))
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


def add_headers(send: Send, headers: Headers) -> Send:
    """``send`` that appends ``headers`` to the response start."""
    extra = tuple(headers)

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *extra]
        await send(message)

    return send_with_headers
