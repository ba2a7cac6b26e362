"""Redis killed and restarted under load (G21): rate limits fall back to per-process counts,
no request fails for it, and sharing resumes when Redis is back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import server_env
from tests.reliability.load import steady_writes, wait_for
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer
from tests.support.servers import running_server

pytestmark = pytest.mark.reliability


def rate_limits(url: str) -> str:
    health = httpx.get(f"{url}/health", timeout=10).json()
    details: dict[str, str] = health["components"]["redis"]["details"]
    return details["rateLimits"]


def test_redis_killed_under_load_fails_no_request(
    own_postgres: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {
        **server_env(own_postgres),
        "TOTRACKIT_REDIS_URL": redis_server.url,
        "TOTRACKIT_RATE_LIMIT": "100000/minute",  # counted in Redis, never reached
    }
    with (
        running_server(data_dir=tmp_path, command="serve", env=env) as server,
        steady_writes(server.url) as load,
    ):
        wait_for(lambda: len(load.acknowledged()) >= 50, timeout=30, what="creates")
        assert rate_limits(server.url) == "shared"

        redis_server.kill()
        seen = len(load.acknowledged())
        wait_for(lambda: len(load.acknowledged()) >= seen + 100, timeout=30, what="creates")
        assert rate_limits(server.url) == "per-process fallback"

        redis_server.start()
        wait_for(lambda: rate_limits(server.url) == "shared", timeout=30, what="Redis used again")
        seen = len(load.acknowledged())
        wait_for(lambda: len(load.acknowledged()) >= seen + 50, timeout=30, what="creates")

    assert Counter(o.status for o in load.snapshot()).keys() == {201}
