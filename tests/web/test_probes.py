"""GET /health/live and /health/ready are answered before the layers they do not need."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from totrackit.web.middleware.probes import ProbesMiddleware


class Inner:
    """The rest of the stack: records what reached it."""

    def __init__(self) -> None:
        self.reached: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.reached.append((scope["method"], scope["path"]))
        await JSONResponse({"from": "stack"})(scope, receive, send)


async def live(state: Any) -> Response:
    return JSONResponse({"status": "UP", "state": state})


def probing() -> tuple[httpx.AsyncClient, Inner]:
    inner = Inner()
    app = FastAPI()
    app.state.totrackit = "the app state"
    app.add_api_route("/health/live", live)
    middleware = ProbesMiddleware(inner, probes={"/health/live": live})

    async def with_app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = app  # as Starlette sets it before its middleware runs
        await middleware(scope, receive, send)

    transport = httpx.ASGITransport(app=with_app)
    return httpx.AsyncClient(transport=transport, base_url="http://t"), inner


async def test_a_probe_is_answered_by_its_handler_without_the_rest_of_the_stack() -> None:
    client, inner = probing()
    async with client:
        response = await client.get("/health/live")

    assert response.json() == {"status": "UP", "state": "the app state"}
    assert inner.reached == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("HEAD", "/health/live"),
        ("POST", "/health/live"),
        ("GET", "/processes/"),
    ],
)
async def test_other_methods_and_paths_go_through_the_stack(method: str, path: str) -> None:
    client, inner = probing()
    async with client:
        await client.request(method, path)

    assert inner.reached == [(method, path)]


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
async def test_probes_keep_the_headers_every_answer_has(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers={"X-Request-ID": "probe-1"})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "probe-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"] == "application/json"
    assert response.json()["status"] == "UP"
