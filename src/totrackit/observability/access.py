"""Pure-ASGI middleware: a correlation id, one access line and the HTTP metrics per request.

The id comes from ``X-Request-ID`` when it is sane, else a fresh one; it is returned in the
response header and stays current (a contextvar) while the request is handled, so every log
line of the request carries it. The access line names the route template, not only the raw path,
so lines group by endpoint. Health probes, and whatever is logged below WARNING while they are
handled, show only at DEBUG: Kubernetes probes every few seconds must not fill the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from totrackit.observability.context import (
    accept_request_id,
    bind_request_id,
    probe_context,
    unbind_request_id,
)
from totrackit.observability.http_metrics import HttpMetrics
from totrackit.web.paths import PROBES

ACCESS_LOGGER = logging.getLogger("totrackit.access")
REQUEST_ID_HEADER = b"x-request-id"


class AccessLogMiddleware:
    """Binds the request id, echoes it in ``X-Request-ID``, writes the access line and records
    the request in ``metrics`` (when given)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        enabled: bool = True,
        metrics: HttpMetrics | None = None,
        probes: Collection[str] = PROBES,
        quiet: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> None:
        self.app = app
        self.enabled = enabled
        self.metrics = metrics
        self.probes = probes
        # Around probe requests: keeps them out of traces when tracing is on.
        self.quiet = quiet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_request_id(_header(scope, REQUEST_ID_HEADER))
        token = bind_request_id(request_id)
        echoed = (REQUEST_ID_HEADER, request_id.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        probe = scope["path"] in self.probes
        started = time.perf_counter()
        try:
            if probe:
                with probe_context(), self.quiet():
                    await self.app(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        except BaseException as error:
            # The id stays bound: the error handler outside this middleware logs with it.
            # Cancelled before answering (client gone, shutdown) is nginx's 499, not a 500.
            failed = 499 if isinstance(error, asyncio.CancelledError) else 500
            self._observe(scope, status or failed, started, request_id, probe)
            raise
        # No response at all: the server answers 500 for the application.
        self._observe(scope, status or 500, started, request_id, probe)
        unbind_request_id(token)

    def _observe(
        self, scope: Scope, status: int, started: float, request_id: str, probe: bool
    ) -> None:
        seconds = time.perf_counter() - started
        route = route_template(scope)
        if self.metrics is not None:
            self.metrics.record(scope["method"], route, status, seconds)
        self._log(scope, route, status, seconds, request_id, probe)

    def _log(
        self,
        scope: Scope,
        route: str | None,
        status: int,
        seconds: float,
        request_id: str,
        probe: bool,
    ) -> None:
        level = logging.DEBUG if probe else logging.INFO
        if not self.enabled or not ACCESS_LOGGER.isEnabledFor(level):
            return
        duration_ms = round(seconds * 1000, 2)
        client = scope.get("client")
        fields = {
            "method": scope["method"],
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": duration_ms,
            "client": client[0] if client else None,
            "request_id": request_id,
        }
        message = f"{scope['method']} {scope['path']} {status} {duration_ms}ms"
        # makeRecord + handle skips the caller lookup of logger.info: this runs per request.
        ACCESS_LOGGER.handle(
            ACCESS_LOGGER.makeRecord(
                ACCESS_LOGGER.name, level, "", 0, message, (), None, extra=fields
            )
        )


def route_template(scope: Scope) -> str | None:
    """The matched route's template (``/processes/{name}``); None when nothing was routed.

    Requests answered before routing (401, 413, 429, 503 while starting) and unknown paths
    have none: logging their raw path as a "route" would make one group per URL.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
