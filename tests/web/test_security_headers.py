"""Security headers on every response; HSTS only over HTTPS."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.conftest import MakeApp, client_for
from totrackit.web.middleware.security_headers import CONTENT_SECURITY_POLICY

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get_list(name) == [value], name


@pytest.mark.parametrize(
    "path",
    [
        "/processes",
        "/health/live",
        "/nowhere",
        "/docs",
        "/docs/init.js",
        "/docs/assets/swagger-ui.css",
        "/openapi.json",
        "/",
    ],
)
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.status_code in (200, 404)
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers


async def test_refusals_carry_them_too(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="1/minute", max_body_bytes=10, api_key="k")
    async with client_for(app) as client, client_for(app, "198.51.100.9") as other:
        too_large = await client.post("/analytics/summary", content=b"x" * 11)
        limited = await client.get("/processes")
        unauthorised = await other.get("/processes")

    assert [too_large.status_code, limited.status_code, unauthorised.status_code] == [413, 429, 401]
    for response in (too_large, limited, unauthorised):
        assert_security_headers(response)


async def test_hsts_is_sent_over_https_only(make_app: MakeApp) -> None:
    app = await make_app()
    async with client_for(app, base_url="https://testserver") as secure, client_for(app) as plain:
        over_https = await secure.get("/health/live")
        over_http = await plain.get("/health/live")

    assert over_https.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in over_http.headers


async def test_they_can_be_turned_off(make_app: MakeApp) -> None:
    app = await make_app(security_headers=False)
    async with client_for(app, base_url="https://testserver") as client:
        response = await client.get("/health/live")

    for name in (*EXPECTED, "strict-transport-security"):
        assert name not in response.headers


async def test_the_docs_page_needs_no_inline_script(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "style=" not in page
