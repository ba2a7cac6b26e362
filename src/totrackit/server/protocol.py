"""uvicorn's HTTP/1.1 protocol with limits on the request head, answering in the error contract.

uvicorn's httptools protocol reads a request line and headers of any size for as long as the
client takes: a client that sends a megabyte of headers is served, and one that opens a
connection and sends a byte every few seconds (or nothing at all) holds it forever, so a few
hundred such clients exhaust the file descriptors of a service exposed without a proxy. Its own
refusals (a request the parser cannot read) are plain text, not the JSON every other error has.

This subclass adds what a front proxy would: a size limit on the request line and the headers
(414 / 431) and a time limit for a whole request head to arrive (408, counted from the
connection opening or from the first byte of each next request), and sends every refusal in
the documented JSON shape before closing the connection. Everything after the head (bodies,
the application) is uvicorn's. See docs/decisions/0007-request-head-limits.md.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from totrackit.errors import ErrorCode
from totrackit.web.errors import error_body

#: The longest path echoed back in a refusal's ``path`` field.
_ECHOED_PATH_CHARS = 256

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 414: b"URI Too Long"}
_REASONS[431] = b"Request Header Fields Too Large"


class _Refused(Exception):
    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing oversized and slow request heads.

    The limits are class attributes, set by :func:`guarded_protocol`: uvicorn creates one
    protocol object per connection from the class it is given.
    """

    max_head_bytes: int = 0  # 0: no limit
    head_timeout_seconds: float = 0  # 0: no limit

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: _Refused | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()  # a connection that never sends a byte is a slow head too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        try:
            super().data_received(data)
        except _Refused as refused:  # raised by a parser callback, passed through unwrapped
            self._refuse(refused)

    # Parser callbacks: count the head as it arrives, so an oversized one is never buffered.
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count(len(url), status=414)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4, status=431)  # "name: value\r\n"
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this when the parser fails; a callback's refusal arrives here too when
        # httptools wraps it in its own error.
        refusal = self._refusal or _Refused(
            400,
            ErrorCode.MALFORMED_REQUEST,
            "The HTTP request could not be parsed (request line, header syntax or characters "
            "outside ASCII in the URL)",
        )
        self._refuse(refusal)

    def _count(self, size: int, *, status: int) -> None:
        self._head_bytes += size
        if self.max_head_bytes and self._head_bytes > self.max_head_bytes:
            if status == 414:
                code, what = ErrorCode.URI_TOO_LONG, "The request URL"
            else:
                code, what = ErrorCode.HEADERS_TOO_LARGE, "The request line and headers"
            limit = self.max_head_bytes
            self._refusal = _Refused(
                status, code, f"{what} exceed {limit} bytes (TOTRACKIT_MAX_HEADER_BYTES)"
            )
            raise self._refusal

    def _arm_head_timer(self) -> None:
        if self.head_timeout_seconds and self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_seconds, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if not self._head_bytes and not getattr(self, "url", b""):
            self.transport.close()  # nothing was asked: nothing to answer
            return
        seconds = f"{self.head_timeout_seconds:g}"
        self._refuse(
            _Refused(
                408,
                ErrorCode.REQUEST_TIMEOUT,
                f"The request line and headers did not arrive within {seconds} s "
                "(TOTRACKIT_HEADER_TIMEOUT_SECONDS)",
            )
        )

    def _refuse(self, refusal: _Refused) -> None:
        self._disarm_head_timer()
        if self.transport.is_closing():
            return
        self.logger.warning("Refused a request: %s", refusal.message)
        path = getattr(self, "url", b"").split(b"?", 1)[0][:_ECHOED_PATH_CHARS]
        body = orjson.dumps(
            error_body(
                code=refusal.code,
                message=refusal.message,
                path=path.decode("utf-8", "replace"),
            )
        )
        head = [
            b"HTTP/1.1 %d %s\r\n" % (refusal.status, _REASONS[refusal.status]),
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def guarded_protocol(
    *, max_head_bytes: int, head_timeout_seconds: float
) -> type[GuardedHttpProtocol]:
    """The protocol class uvicorn is given (``http=``), with these limits (0 turns one off)."""
    return type(
        "GuardedHttpProtocol",
        (GuardedHttpProtocol,),
        {"max_head_bytes": max_head_bytes, "head_timeout_seconds": head_timeout_seconds},
    )
