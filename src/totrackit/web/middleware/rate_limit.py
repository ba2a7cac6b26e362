"""429 once a client used its allowance (TOTRACKIT_RATE_LIMIT); RateLimit headers otherwise."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from totrackit.errors import ErrorCode
from totrackit.ratelimit.limiter import RateLimiter, describe
from totrackit.ratelimit.rule import Decision
from totrackit.ratelimit.stores import RedisStore
from totrackit.settings import Settings
from totrackit.web.asgi import add_headers, send_json_error
from totrackit.web.paths import is_operational


class RateLimitMiddleware:
    """429 once a client used its allowance; RateLimit headers on every limited response."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, api_key: str | None) -> None:
        self.app = app
        self.limiter = limiter
        self._api_key = api_key.encode() if api_key else None
        digest = hashlib.sha256(self._api_key or b"").hexdigest()
        self._key_identity = f"key:{digest[:32]}"  # the key itself never reaches Redis

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing_on_shutdown(send))
            return
        if scope["type"] != "http" or is_operational(scope["path"]):
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(self.identity(scope))
        if decision.allowed:
            await self.app(scope, receive, add_headers(send, decision.headers()))
        else:
            await self._refuse(scope, send, decision)

    def identity(self, scope: Scope) -> str:
        """The configured API key (hashed) when presented, otherwise the client address.

        Unknown keys count against the address, so inventing keys does not buy a fresh allowance.
        """
        if self._api_key is not None:
            for name, value in scope["headers"]:
                if name == b"x-api-key" and hmac.compare_digest(value, self._api_key):
                    return self._key_identity
        client = scope.get("client")
        return f"addr:{client[0] if client else 'unknown'}"

    async def _refuse(self, scope: Scope, send: Send, decision: Decision) -> None:
        retry = decision.retry_after_seconds
        await send_json_error(
            send,
            status=429,
            code=ErrorCode.TOO_MANY_REQUESTS,
            message=f"Rate limit of {self.limiter.rate} exceeded; retry in {retry} s",
            path=scope["path"],
            headers=decision.headers(),
        )

    def _closing_on_shutdown(self, send: Send) -> Send:
        async def send_closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await self.limiter.aclose()
            await send(message)

        return send_closing


def build_limiter(settings: Settings) -> RateLimiter | None:
    """The limiter for ``TOTRACKIT_RATE_LIMIT``, shared through Redis when a URL is set."""
    rate = settings.protection.rate_limit
    if rate is None:
        return None
    url = settings.protection.redis_url.get_secret_value() if settings.protection.redis_url else ""
    if not url:
        return RateLimiter(rate)
    store = RedisStore(rate, url, timeout=settings.protection.redis_timeout_ms / 1000)
    return RateLimiter(rate, redis=store, redis_label=describe(url))
