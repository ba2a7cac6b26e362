"""CORS (TOTRACKIT_CORS_ORIGINS): listed origins may call the API from a browser, others not."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from tests.web.conftest import MakeApp, client_for
from totrackit.settings import Settings

ALLOWED = "https://ops.example.com"
OTHER = "https://evil.example.net"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,x-api-key,x-request-id",
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cors_origins": f"{ALLOWED}, http://localhost:5173", "api_key": "k"}


async def test_a_preflight_from_an_allowed_origin_is_answered(client: httpx.AsyncClient) -> None:
    response = await client.options("/processes/p", headers={"Origin": ALLOWED, **PREFLIGHT})

    assert response.status_code == 200  # answered before the X-API-KEY check
    assert response.headers["access-control-allow-origin"] == ALLOWED
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert {"x-api-key", "x-request-id", "content-type"} <= set(allowed_headers.split(", "))
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_preflight_from_another_origin_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.options("/processes/p", headers={"Origin": OTHER, **PREFLIGHT})

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_simple_request_from_an_allowed_origin_may_read_the_answer(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/processes", headers={"Origin": ALLOWED, "X-API-KEY": "k"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in response.headers["vary"]
    exposed = response.headers["access-control-expose-headers"]
    assert {"X-Request-ID", "Retry-After", "RateLimit-Remaining"} <= set(exposed.split(", "))


async def test_a_simple_request_from_another_origin_gets_no_cors_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/processes", headers={"Origin": OTHER, "X-API-KEY": "k"})

    assert "access-control-allow-origin" not in response.headers


async def test_refusals_carry_cors_headers_so_the_browser_can_read_them(
    make_app: MakeApp,
) -> None:
    app = await make_app(cors_origins=ALLOWED, rate_limit="1/minute", api_key="k")
    async with client_for(app) as client:
        unauthorised = await client.get("/processes", headers={"Origin": ALLOWED})
        limited = await client.get("/processes", headers={"Origin": ALLOWED})

    assert unauthorised.status_code == 401
    assert limited.status_code == 429
    for response in (unauthorised, limited):
        assert response.headers["access-control-allow-origin"] == ALLOWED


async def test_without_origins_no_cors_headers_are_sent(make_app: MakeApp) -> None:
    app = await make_app()
    async with client_for(app) as client:
        simple = await client.get("/processes", headers={"Origin": ALLOWED})
        preflight = await client.options("/processes", headers={"Origin": ALLOWED, **PREFLIGHT})

    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-origin" not in preflight.headers


async def test_a_star_allows_any_origin_outside_production(make_app: MakeApp) -> None:
    app = await make_app(cors_origins="*", env="development")
    async with client_for(app) as client:
        response = await client.get("/processes", headers={"Origin": OTHER})

    assert response.headers["access-control-allow-origin"] == "*"


class TestSettings:
    def test_a_star_is_refused_in_production(self) -> None:
        with pytest.raises(ValidationError, match="not allowed in production"):
            Settings(env="production", cors_origins="https://a.example, *")

    @pytest.mark.parametrize(
        "origin", ["ops.example.com", "https://ops.example.com/app", "ftp://x"]
    )
    def test_malformed_origins_are_refused(self, origin: str) -> None:
        with pytest.raises(ValidationError, match="expected origins like https://"):
            Settings(cors_origins=origin)

    def test_origins_are_trimmed(self) -> None:
        settings = Settings(cors_origins=" https://a.example/ ,http://b.example:8080,, ")

        assert settings.protection.cors_origins == ("https://a.example", "http://b.example:8080")
