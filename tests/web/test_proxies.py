"""X-Forwarded-For and X-Forwarded-Proto count only from TOTRACKIT_TRUSTED_PROXIES."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from tests.support.servers import running_server
from tests.web.conftest import MakeApp, client_for
from totrackit.settings import Settings

PROXY = "10.0.0.5"


def forwarded(client_address: str, proto: str = "https") -> dict[str, str]:
    return {"X-Forwarded-For": client_address, "X-Forwarded-Proto": proto}


async def test_a_trusted_proxy_names_the_client_and_the_scheme(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="1/minute", trusted_proxies="10.0.0.0/8, 192.0.2.1")
    async with client_for(app, PROXY) as proxy:
        first = await proxy.get("/processes", headers=forwarded("198.51.100.1"))
        second = await proxy.get("/processes", headers=forwarded("198.51.100.2"))
        again = await proxy.get("/processes", headers=forwarded("198.51.100.1"))

    # Each forwarded client has its own allowance; the proxy's address is not the key.
    assert [first.status_code, second.status_code, again.status_code] == [200, 200, 429]
    assert first.headers["strict-transport-security"] == "max-age=31536000"


async def test_the_rightmost_untrusted_address_is_the_client(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="1/minute", trusted_proxies="10.0.0.0/8")
    async with client_for(app, PROXY) as proxy:
        # A client cannot pick its own key by prepending addresses: 198.51.100.7 is who
        # connected to the trusted proxy 10.0.0.9.
        spoofed = [
            await proxy.get("/processes", headers=forwarded(f"1.2.3.{n}, 198.51.100.7, 10.0.0.9"))
            for n in range(2)
        ]

    assert [r.status_code for r in spoofed] == [200, 429]


async def test_forwarded_headers_from_anyone_else_are_ignored(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="1/minute", trusted_proxies="10.0.0.0/8")
    async with client_for(app, "203.0.113.50") as direct:
        first = await direct.get("/processes", headers=forwarded("198.51.100.1"))
        second = await direct.get("/processes", headers=forwarded("198.51.100.2"))

    assert [first.status_code, second.status_code] == [200, 429]
    assert "strict-transport-security" not in first.headers


async def test_no_proxy_is_trusted_by_default(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="1/minute")
    async with client_for(app, "127.0.0.1") as local:
        first = await local.get("/processes", headers=forwarded("198.51.100.1"))
        second = await local.get("/processes", headers=forwarded("198.51.100.2"))

    assert [first.status_code, second.status_code] == [200, 429]
    assert "strict-transport-security" not in first.headers


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.local", "10.0.0.1;10.0.0.2", "*"])
def test_malformed_proxies_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="expected IP addresses or CIDRs"):
        Settings(trusted_proxies=value)


@pytest.mark.parametrize("trusted", [False, True])
def test_the_real_server_trusts_forwarded_headers_only_when_configured(
    tmp_path: Path, trusted: bool
) -> None:
    env = {"TOTRACKIT_RATE_LIMIT": "1/minute", "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0"}
    if trusted:
        env["TOTRACKIT_TRUSTED_PROXIES"] = "127.0.0.1"
    with running_server(data_dir=tmp_path, command="api", env=env) as server:
        responses = [
            httpx.get(f"{server.url}/processes", headers=forwarded(f"198.51.100.{n}"))
            for n in range(2)
        ]

    # uvicorn's own proxy handling (which trusts 127.0.0.1 by default) is off: only the
    # setting decides.
    assert [r.status_code for r in responses] == ([200, 200] if trusted else [200, 429])
    assert ("strict-transport-security" in responses[0].headers) is trusted
