"""The OpenAPI document: declared error responses, JSON and YAML forms, self-hosted Swagger UI."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from totrackit import __version__
from totrackit.processes.schemas import CONTEXT_VALUE, CONTEXT_VALUE_SCHEMA
from totrackit.web.responses import FastJSONResponse

_DESCRIPTIONS = {
    400: "Invalid input: VALIDATION_ERROR (with details) or INVALID_ARGUMENT.",
    401: "Missing or invalid X-API-KEY header.",
    404: "No such process run.",
    409: "Conflict: PROCESS_ALREADY_EXISTS or PROCESS_ALREADY_COMPLETED.",
    413: "Request body too large: PAYLOAD_TOO_LARGE (TOTRACKIT_MAX_BODY_BYTES).",
    415: "The request body is not JSON.",
    422: "Rejected lines (IMPORT_REJECTED): details name each line and why; nothing applied.",
    429: "Rate limit exceeded: TOO_MANY_REQUESTS, with Retry-After (TOTRACKIT_RATE_LIMIT).",
    500: "Unexpected server error.",
    503: (
        "Not available, with Retry-After: STARTING while the database is not ready yet, "
        "DATABASE_UNAVAILABLE or QUERY_TIMEOUT."
    ),
}
# Answered by middleware before any handler runs (web/protection.py, web/readiness.py) or by
# the database failure handler (web/errors.py), on every API operation.
API_ERRORS = (429, 503)


class FieldErrorBody(BaseModel):
    field: str
    message: str
    rejected_value: Any = None


class ErrorResponse(BaseModel):
    error: str = Field(description="Machine-readable code, e.g. PROCESS_NOT_FOUND.")
    message: str
    timestamp: int = Field(description="Unix epoch seconds.")
    path: str
    details: list[FieldErrorBody] | None = Field(None, description="Only for VALIDATION_ERROR.")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry declaring these error codes (plus 500) with the error body."""
    return {code: error_response(_DESCRIPTIONS[code]) for code in (*codes, 500)}


def api_error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``error_responses`` for an API operation: also 429 and 503 (``API_ERRORS``)."""
    return error_responses(*codes, *API_ERRORS)


def error_response(description: str) -> dict[str, Any]:
    """One ``responses=`` value: the error body, with what the status means here."""
    return {"model": ErrorResponse, "description": description}


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, without FastAPI's 422 entries (validation errors are 400 here)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title="ToTrackIt API",
            version=__version__,
            description=(
                "Track asynchronous business processes against deadlines. Timestamps are Unix "
                "epoch seconds."
            ),
            routes=app.routes,
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {})
                if "HTTPValidationError" in str(responses.get("422", "")):
                    responses.pop("422")  # FastAPI's own; a declared 422 (IMPORT_REJECTED) stays
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        schema["components"]["schemas"][CONTEXT_VALUE] = CONTEXT_VALUE_SCHEMA
        schema["components"].setdefault("securitySchemes", {})["ApiKeyAuth"] = {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-KEY",
        }
        app.openapi_schema = schema
    return app.openapi_schema


router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi_json(request: Request) -> Response:
    return FastJSONResponse(build_openapi(request.app))


@router.get("/openapi.yml")
@router.get("/openapi.yaml")
async def openapi_yaml(request: Request) -> Response:
    body = yaml.safe_dump(build_openapi(request.app), sort_keys=False, allow_unicode=True)
    return Response(body, media_type="application/yaml")


@router.get("/docs")
@router.get("/swagger-ui")
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER_PAGE)


@router.get("/docs/init.js")
async def swagger_init() -> Response:
    # A file rather than an inline script, so the Content-Security-Policy needs no exception.
    return Response(_SWAGGER_INIT, media_type="text/javascript")


def mount_swagger_assets(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="swagger-assets")


_SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ToTrackIt API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-spec-url="/openapi.json"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""

_SWAGGER_INIT = """window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.specUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
});
"""
