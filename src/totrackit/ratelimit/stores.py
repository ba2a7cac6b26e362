"""Where GCRA keeps each client's timestamp: this process's memory, or Redis for all of them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from totrackit.ratelimit.rule import MICROS, Decision, Rate, allowed, refused

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)


class MemoryStore:
    """GCRA in a dict of theoretical arrival times; this process only."""

    def __init__(
        self,
        rate: Rate,
        *,
        clock: Callable[[], int] = lambda: time.monotonic_ns() // 1000,
        max_keys: int = 100_000,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._tats: dict[str, int] = {}
        self._next_sweep = 0

    def hit(self, key: str) -> Decision:
        now = self._clock()
        tat = max(self._tats.get(key, now), now)
        backlog = tat - now + self.rate.interval_us
        if backlog > self.rate.capacity_us:
            return refused(self.rate, tat - now)
        self._tats[key] = now + backlog
        if len(self._tats) > self._max_keys // 10 and now >= self._next_sweep:
            self._sweep(now)
        return allowed(self.rate, backlog)

    def _sweep(self, now: int) -> None:
        """Forget clients whose allowance is full again; keeps memory bounded."""
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        if len(self._tats) > self._max_keys:
            logger.warning("Rate limiter tracks over %d clients; starting afresh", self._max_keys)
            self._tats.clear()
        self._next_sweep = now + MICROS


# KEYS[1]: the client's key. ARGV: interval and capacity in microseconds. Redis's own clock keeps
# every replica on one time line. Returns {1, backlog} when allowed, {0, tat - now} when refused.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local stored = redis.call('GET', KEYS[1])
local tat = stored and tonumber(stored) or now
if tat < now then tat = now end
local backlog = tat - now + interval
if backlog > capacity then
  return {0, tat - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', now + backlog), 'PX', math.ceil(backlog / 1000))
return {1, backlog}
"""


class RedisStore:
    """GCRA in Redis, one key per client, atomic in a Lua script; shared by every process."""

    def __init__(self, rate: Rate, url: str, *, timeout: float, prefix: str = "totrackit:rl:"):
        # Imported here: the client library is only loaded when Redis is configured.
        from redis.asyncio import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.rate = rate
        self._prefix = prefix
        # No retries and a short timeout: a slow Redis must cost a request little, because the
        # limiter has a local fallback.
        self.client: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self.client.register_script(_GCRA_LUA)

    async def hit(self, key: str) -> Decision:
        args = [self.rate.interval_us, self.rate.capacity_us]
        ok, micros = await self._script(keys=[self._prefix + key], args=args)
        return allowed(self.rate, int(micros)) if ok else refused(self.rate, int(micros))

    async def check(self) -> None:
        """Run the script once on a key of its own: proves Redis answers and accepts it."""
        await self.hit("__probe__")

    async def aclose(self) -> None:
        await self.client.aclose()
