"""Kubernetes-style probes answered before the layers and the routing they do not need.

``GET /health/live`` and ``GET /health/ready`` arrive every few seconds from every orchestrator
and load balancer. Through the whole stack each paid for the rate limiter, body limit,
readiness gate, gzip, FastAPI's exception, exit-stack and routing layers and its dependency
resolution: about 120 us of CPU for a body that needs none of them. Here they are answered
by the same handler functions (``health/routes.py``), inside the access line, the metrics,
the security headers and CORS, so their answers, headers, log lines and metric labels stay
what they were. Every other method or path goes on through the stack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from totrackit.state import AppState

ProbeHandler = Callable[[AppState], Awaitable[Response]]


class ProbesMiddleware:
    def __init__(self, app: ASGIApp, *, probes: Mapping[str, ProbeHandler]) -> None:
        self.app = app
        self.probes = dict(probes)
        # The app's route of each probe path, set on the scope as routing would, so the access
        # line and the metrics name the route template: looked up on first use.
        self.routes: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.probes.get(scope["path"]) if scope["type"] == "http" else None
        if handler is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        scope["route"] = self.routes.get(scope["path"]) or self._route(app, scope["path"])
        response = await handler(app.state.totrackit)
        await response(scope, receive, send)

    def _route(self, app: Any, path: str) -> Any:
        route = next(
            (r for r in app.router.routes if getattr(r, "path", None) == path),
            None,
        )
        self.routes[path] = route
        return route
