"""In production (TOTRACKIT_ENV=production) no response carries debug output."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.web.conftest import MakeApp, client_for
from totrackit.web.errors import INTERNAL_MESSAGE

SECRET = "password=hunter2 in /srv/totrackit/secret.py"


def add_failing_route(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError(SECRET)

    app.add_api_route("/explode", explode)


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
async def test_an_unexpected_error_is_a_plain_contract_body(make_app: MakeApp, accept: str) -> None:
    app = await make_app(env="production", cors_origins="https://ops.example.com")
    add_failing_route(app)
    async with client_for(app) as client:
        response = await client.get("/explode", headers={"Accept": accept})

    assert app.debug is False
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == "INTERNAL_SERVER_ERROR"
    assert body["message"] == INTERNAL_MESSAGE
    assert "Traceback" not in response.text
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
