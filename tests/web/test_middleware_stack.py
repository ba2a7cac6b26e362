"""The middleware runs in one documented order, and the special paths are named once."""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from totrackit.lifecycle import Lifecycle
from totrackit.ratelimit.limiter import RateLimiter
from totrackit.ratelimit.rule import parse_rate
from totrackit.settings import Settings
from totrackit.web import middleware
from totrackit.web.paths import is_operational, is_protected


def test_every_layer_in_the_documented_order_outermost_first() -> None:
    settings = Settings(
        env="test",
        trusted_proxies="127.0.0.1",
        cors_origins="https://example.test",
        api_key="secret",
        rate_limit="5/second",
    )

    stack = middleware.middleware_stack(
        settings,
        lifecycle=Lifecycle(),
        limiter=RateLimiter(parse_rate("5/second")),
        quiet=nullcontext,
    )

    names = [layer.cls.__name__ for layer in stack]  # type: ignore[attr-defined]
    assert names == [
        "AccessLogMiddleware",
        "ProxyHeadersMiddleware",
        "SecurityHeadersMiddleware",
        "CORSMiddleware",
        "ProbesMiddleware",
        "RateLimitMiddleware",
        "BodyLimitMiddleware",
        "ReadinessGate",
        "ApiKeyMiddleware",
        "GZipMiddleware",
    ]
    documented = [line.split()[0] for line in middleware.__doc__.split("\n") if line[:4] == "    "]  # type: ignore[union-attr]
    assert [name.removesuffix("Middleware") for name in names] == documented


def test_layers_that_are_off_are_left_out() -> None:
    settings = Settings(env="test", security_headers=False, max_body_bytes=0, import_max_bytes=0)

    stack = middleware.middleware_stack(
        settings, lifecycle=Lifecycle(), limiter=None, quiet=nullcontext
    )

    names = [layer.cls.__name__ for layer in stack]  # type: ignore[attr-defined]
    assert names == ["AccessLogMiddleware", "ProbesMiddleware", "ReadinessGate", "GZipMiddleware"]


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/health/ready",
        "/metrics",
        "/prometheus",
        "/docs",
        "/docs/init.js",
        "/openapi.json",
        "/",
        "/index.html",
        "/favicon.svg",
        "/assets/index-abc.js",
    ],
)
def test_operational_paths_need_no_database_and_no_allowance(path: str) -> None:
    assert is_operational(path)
    assert not is_protected(path)


@pytest.mark.parametrize("path", ["/processes", "/processes/billing", "/processes/a/b/complete"])
def test_the_api_is_protected_and_limited(path: str) -> None:
    assert is_protected(path)
    assert not is_operational(path)


@pytest.mark.parametrize("path", ["/analytics/summary", "/processesx", "/healthz", "/metricsx"])
def test_other_paths_are_neither(path: str) -> None:
    assert not is_protected(path)
    assert not is_operational(path)
