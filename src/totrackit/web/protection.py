"""Request protection: proxy headers, security headers, CORS, rate limiting and a body size limit.

All pure ASGI. ``install_protection`` adds them outside every other middleware, outermost first:

    ProxyHeaders (only with TOTRACKIT_TRUSTED_PROXIES) -> client address and scheme
    SecurityHeaders                                     -> headers on every response
    CORS (only with TOTRACKIT_CORS_ORIGINS)             -> also on 401/413/429 answers
    RateLimit (only with TOTRACKIT_RATE_LIMIT)          -> 429 before any work is done
    BodyLimit (unless TOTRACKIT_MAX_BODY_BYTES=0)       -> 413
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import orjson
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from totrackit.settings import Environment, Settings
from totrackit.web.errors import error_body
from totrackit.web.ratelimit import Decision, RateLimiter, RedisStore, describe

# Probes, metrics, API docs and the UI's static files are never rate limited.
EXEMPT_PATHS = frozenset(
    {
        "/health",
        "/metrics",
        "/prometheus",
        "/docs",
        "/swagger-ui",
        "/openapi.json",
        "/openapi.yaml",
        "/openapi.yml",
        "/",
        "/index.html",
        "/favicon.svg",
        "/favicon.ico",
        "/robots.txt",
    }
)
EXEMPT_PREFIXES = ("/health/", "/docs/", "/assets/")

# Fits the built UI (module scripts and stylesheets from /assets, a data: favicon, fetch to the
# same origin) and the Swagger UI at /docs (files from /docs/assets and /docs/init.js, data:
# images); neither needs inline scripts or styles. tests/web/test_browser.py checks both pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")

CORS_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_ALLOW_HEADERS = ("Content-Type", "X-API-KEY", "X-Request-ID")
CORS_EXPOSE_HEADERS = (
    "X-Request-ID",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)


@dataclass
class Protection:
    """What ``install_protection`` set up (``app.state.protection``), for the health report."""

    limiter: RateLimiter | None

    @property
    def redis_healthy(self) -> bool | None:
        """None when rate limits do not use Redis; False while degraded to per-process counts."""
        return None if self.limiter is None else self.limiter.redis_healthy


def install_protection(app: FastAPI, settings: Settings) -> Protection:
    """Add the protection middleware configured in ``settings`` around everything else."""
    limiter = build_limiter(settings)
    if settings.max_body_bytes:
        app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter, api_key=settings.api_key_value)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
        )
    if settings.security_headers:
        app.add_middleware(SecurityHeadersMiddleware)
    if settings.trusted_proxy_list:
        # Imported only when needed: loading uvicorn costs ~60 ms of start-up otherwise.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxy_list))
    if settings.env is Environment.PRODUCTION:
        app.debug = False  # tracebacks never reach a response in production
    protection = Protection(limiter=limiter)
    app.state.protection = protection
    return protection


def build_limiter(settings: Settings) -> RateLimiter | None:
    """The limiter for ``TOTRACKIT_RATE_LIMIT``, shared through Redis when a URL is set."""
    rate = settings.rate_limit_rule
    if rate is None:
        return None
    url = settings.redis_url.get_secret_value() if settings.redis_url else ""
    if not url:
        return RateLimiter(rate)
    store = RedisStore(rate, url, timeout=settings.redis_timeout_ms / 1000)
    return RateLimiter(rate, redis=store, redis_label=describe(url))


def is_exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


async def send_error(
    send: Send,
    *,
    status: int,
    code: str,
    message: str,
    path: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer with the contract's JSON error body, without running the application."""
    body = orjson.dumps(error_body(code=code, message=message, path=path))
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *(headers or ()),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


def add_headers(
    send: Send, headers: list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...]
) -> Send:
    """``send`` that appends ``headers`` to the response start."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *headers]
        await send(message)

    return send_with_headers


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
        if scope["type"] != "http" or is_exempt(scope["path"]):
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
        await send_error(
            send,
            status=429,
            code="TOO_MANY_REQUESTS",
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


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit; rendered as 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body larger than {max_bytes} bytes")


class BodyLimitMiddleware:
    """413 for bodies over ``max_bytes``: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _body_framing(scope)
        if length is not None and length > self.max_bytes:
            await self._too_large(scope, send)
        elif chunked or (length is None and scope.get("http_version") == "2"):
            await self._counted(scope, receive, send)
        else:
            # A declared length is all the server passes on, and an HTTP/1 request with neither
            # Content-Length nor Transfer-Encoding has no body: nothing to count.
            await self.app(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await send_error(
            send,
            status=413,
            code="PAYLOAD_TOO_LARGE",
            message=BodyTooLarge(self.max_bytes).detail,
            path=scope["path"],
            headers=[(b"connection", b"close")],
        )


def _body_framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None if absent or invalid) and whether the body is chunked."""
    length, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                chunked = True  # count it, as if undeclared
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked


class SecurityHeadersMiddleware:
    """nosniff, DENY framing, no referrer and the CSP on every response; HSTS over HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        await self.app(
            scope, receive, add_headers(send, _HTTPS_HEADERS if https else SECURITY_HEADERS)
        )


_HTTPS_HEADERS = (*SECURITY_HEADERS, HSTS)
