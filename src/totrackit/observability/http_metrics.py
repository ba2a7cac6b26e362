"""Pure-ASGI middleware counting and timing every HTTP request by its route template."""

from __future__ import annotations

import time

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from totrackit.observability.metrics import HTTP_DURATION, HTTP_REQUESTS

UNMATCHED = "unmatched"


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            endpoint = route_template(scope)
            labels = (scope["method"], endpoint, str(status))
            HTTP_REQUESTS.labels(*labels).inc()
            HTTP_DURATION.labels(*labels).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/processes/{name}``), never the raw path."""
    route = scope.get("route")
    if isinstance(route, Route):
        return route.path
    # Mounts (static files) and requests rejected before routing: find the route by matching.
    app = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", []):
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return str(getattr(candidate, "path", UNMATCHED)) or UNMATCHED
    return UNMATCHED
