"""``GET /metrics`` (and ``/prometheus``, the original's path): Prometheus text exposition."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from totrackit.observability.metrics import render
from totrackit.web.openapi import error_responses

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses=error_responses(),
)
@router.get("/prometheus", include_in_schema=False, response_class=Response)
async def metrics() -> Response:
    body, content_type = render()
    return Response(body, media_type=content_type)
