"""HTTP request metrics, recorded once per request by the access middleware (access.py).

Recording rides on the access middleware rather than a middleware of its own: it needs the same
status, route template and duration, and one ASGI layer less is most of what metrics cost a
request.
"""

from __future__ import annotations

from prometheus_client.metrics import Counter, Histogram

from totrackit.observability.metrics import HTTP_DURATION, HTTP_REQUESTS

UNMATCHED = "unmatched"
# Any token is a valid HTTP method; labelling by whatever a client sends would let it create
# series without end.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "OTHER"


class HttpMetrics:
    """Counts and times requests by method, route template and status."""

    def __init__(self) -> None:
        # labels() converts, validates and locks on every call; binding each series once makes a
        # request's recording four times cheaper. Bounded: a few methods, the route templates
        # (or "unmatched") and the HTTP status codes.
        self._series: dict[tuple[str, str | None, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, route: str | None, status: int, seconds: float) -> None:
        key = (method if method in KNOWN_METHODS else OTHER_METHOD, route, status)
        series = self._series.get(key)
        if series is None:
            labels = (key[0], route or UNMATCHED, str(status))
            series = HTTP_REQUESTS.labels(*labels), HTTP_DURATION.labels(*labels)
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)
