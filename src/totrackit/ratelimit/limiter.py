"""The limiter: counts in Redis while it answers, in memory while it does not."""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlsplit

from totrackit.ratelimit.rule import Decision, Rate
from totrackit.ratelimit.stores import MemoryStore, RedisStore

logger = logging.getLogger(__name__)


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
