"""Rate limiting: the GCRA rule, an in-process store, a shared Redis store, and the limiter.

The algorithm is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp per
client): ``100/minute`` lets a client burst 100 requests, then refills one every 0.6 s. Each
client costs one key, the arithmetic is integer microseconds, and the same rule runs in Python
(``MemoryStore``) and in a Lua script on Redis (``RedisStore``), so both answer alike.

``RateLimiter`` counts in Redis while Redis answers and falls back to its own in-memory store
when Redis fails or times out: requests are never refused or failed because Redis is down. A
background probe notices when Redis is back. ``redis_healthy`` tells the health endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_UNITS = {
    **_SECONDS,
    **{f"{name}s": seconds for name, seconds in _SECONDS.items()},
    **{"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400},
}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*([a-z]+)\s*$", re.IGNORECASE)
_MICROS = 1_000_000


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``period_us`` microseconds."""

    limit: int
    period_us: int
    # Microseconds between two requests at the sustained rate, and the burst allowance as time
    # (exactly ``limit`` intervals). Stored, not computed, because every request reads them.
    interval_us: int = field(init=False, repr=False, compare=False)
    capacity_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "interval_us", self.period_us // max(1, self.limit))
        object.__setattr__(self, "capacity_us", self.interval_us * self.limit)

    def __str__(self) -> str:
        names = {seconds * _MICROS: name for name, seconds in _SECONDS.items()}
        return f"{self.limit}/{names.get(self.period_us, f'{self.period_us}us')}"


def parse_rate(text: str) -> Rate:
    """``100/minute`` (also ``/second``, ``/hour``, ``/day``, ``/s``, ``/min``, ``10 per hour``)."""
    match = _RATE.match(text)
    unit = match and _UNITS.get(match.group(2).lower())
    if not match or not unit:
        raise ValueError(
            f"expected COUNT/UNIT such as 100/minute (second, minute, hour), not {text!r}"
        )
    rate = Rate(limit=int(match.group(1)), period_us=unit * _MICROS)
    if not 1 <= rate.limit <= rate.period_us:
        raise ValueError(f"the count must be between 1 and {rate.period_us:,} for that unit")
    return rate


class Decision(NamedTuple):
    """One request's verdict and what the RateLimit headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_us: int  # until the allowance is full again
    retry_after_us: int  # until the next request is allowed (0 when this one was)

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"ratelimit-limit", b"%d" % self.limit),
            (b"ratelimit-remaining", b"%d" % self.remaining),
            (b"ratelimit-reset", b"%d" % -(-self.reset_us // _MICROS)),
        ]
        if not self.allowed:
            headers.append((b"retry-after", b"%d" % self.retry_after_seconds))
        return headers

    @property
    def retry_after_seconds(self) -> int:
        return max(1, -(-self.retry_after_us // _MICROS))


def allowed(rate: Rate, backlog_us: int) -> Decision:
    """The verdict for an accepted request that leaves ``backlog_us`` of allowance used."""
    remaining = (rate.capacity_us - backlog_us) // rate.interval_us
    return Decision(True, rate.limit, remaining, backlog_us, 0)


def refused(rate: Rate, backlog_us: int) -> Decision:
    """The verdict for a refused request while ``backlog_us`` of allowance is used."""
    wait = backlog_us + rate.interval_us - rate.capacity_us
    return Decision(False, rate.limit, 0, backlog_us, wait)


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
        self._next_sweep = now + _MICROS


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


class RateLimiter:
    """Counts in Redis when configured and answering, else in this process's memory."""

    def __init__(
        self,
        rate: Rate,
        *,
        redis: RedisStore | None = None,
        redis_label: str = "Redis",
        probe_interval: float = 1.0,
    ) -> None:
        self.rate = rate
        self.memory = MemoryStore(rate)
        self.redis = redis
        self._label = redis_label
        self._probe_interval = probe_interval
        self._healthy = True
        self._probe: asyncio.Task[None] | None = None
        self._next_probe = 0.0
        # Clients Redis refused, until when (monotonic microseconds), and their allowance's full
        # reset: a throttled client's further requests are refused here without a round trip.
        # Exact, because nothing can lower a client's timestamp in Redis before that time.
        self._refused_until: dict[str, tuple[int, int]] = {}

    @property
    def redis_healthy(self) -> bool | None:
        """None without Redis; False while limits are counted per process because Redis failed."""
        return None if self.redis is None else self._healthy

    async def hit(self, key: str) -> Decision:
        """Count one request for ``key``; never raises because of the store."""
        if self.redis is not None and self._redis_usable():
            try:
                return await self._shared_hit(self.redis, key)
            except Exception as exc:  # any failure of the shared store: count locally instead
                self._mark_down(exc)
        return self.memory.hit(key)

    async def _shared_hit(self, redis: RedisStore, key: str) -> Decision:
        now = time.monotonic_ns() // 1000
        refused_until = self._refused_until.get(key)
        if refused_until is not None and now < refused_until[0]:
            until, full = refused_until
            return Decision(False, self.rate.limit, 0, full - now, until - now)
        decision = await redis.hit(key)
        if not decision.allowed:
            if len(self._refused_until) > 10_000:
                self._refused_until = {k: v for k, v in self._refused_until.items() if v[0] > now}
            self._refused_until[key] = (now + decision.retry_after_us, now + decision.reset_us)
        return decision

    def _redis_usable(self) -> bool:
        if self._healthy:
            return True
        if self._probe is None and time.monotonic() >= self._next_probe:
            self._probe = asyncio.get_running_loop().create_task(self._check_redis())
        return False

    def _mark_down(self, exc: BaseException) -> None:
        if self._healthy:
            logger.warning(
                "%s failed (%s: %s); rate limits are counted per process until it is back",
                self._label,
                type(exc).__name__,
                exc,
            )
        self._healthy = False
        self._next_probe = time.monotonic() + self._probe_interval

    async def _check_redis(self) -> None:
        assert self.redis is not None
        try:
            await self.redis.check()
        except Exception:  # still down: try again after the interval
            self._next_probe = time.monotonic() + self._probe_interval
        else:
            self._healthy = True
            logger.info("%s answers again; rate limits are shared again", self._label)
        finally:
            self._probe = None

    async def aclose(self) -> None:
        """Stop the probe and close the Redis connections."""
        if self._probe is not None:
            self._probe.cancel()
        if self.redis is not None:
            await self.redis.aclose()


def describe(url: str) -> str:
    """``Redis at host:port/db`` without credentials, for log lines."""
    parts = urlsplit(url)
    if not parts.hostname:
        return f"Redis at {url.split('?', 1)[0].rsplit('@', 1)[-1]}"
    port = f":{parts.port}" if parts.port else ""
    return f"Redis at {parts.hostname}{port}{parts.path}"
