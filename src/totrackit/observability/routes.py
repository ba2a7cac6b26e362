"""``GET /metrics`` (and ``/prometheus``, the original's path): Prometheus text exposition."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from totrackit.observability.metrics import render
from totrackit.web.openapi import error_response, error_responses

router = APIRouter(tags=["operations"])

EXPOSITION: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The Prometheus text exposition format.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    },
    # The route is not there at all then; the unknown path gets the usual 404 error body.
    404: error_response("Metrics are off (TOTRACKIT_METRICS_ENABLED=false)."),
}


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={**EXPOSITION, **error_responses()},
)
@router.get("/prometheus", include_in_schema=False, response_class=Response)
async def metrics() -> Response:
    body, content_type = render()
    return Response(body, media_type=content_type)
