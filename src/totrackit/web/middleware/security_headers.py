"""Browser hardening headers on every response (TOTRACKIT_SECURITY_HEADERS)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from totrackit.web.asgi import add_headers

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
