"""The one place where errors become HTTP responses.

Every error body has the contract's shape ``{error, message, timestamp, path, details?}``; no
client mistake ends as a 500, and a framework 422 never reaches the wire.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from totrackit.db.failures import DatabaseFailure, classify, failure_types
from totrackit.errors import AppError, ErrorCode, FieldError, ValidationFailed
from totrackit.observability.context import current_request_id
from totrackit.processes.schemas import NO_NUL_PATTERN, UNPAIRED_SURROGATE
from totrackit.web.responses import FastJSONResponse

logger = logging.getLogger(__name__)

# The codes of the HTTP errors that Starlette and FastAPI raise themselves (400 is handled apart).
_HTTP_CODES = {
    code.status: code
    for code in (
        ErrorCode.UNAUTHORIZED,
        ErrorCode.NOT_FOUND,
        ErrorCode.METHOD_NOT_ALLOWED,
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.TOO_MANY_REQUESTS,
    )
}
INTERNAL_MESSAGE = "An unexpected error occurred. Please try again later."


def error_body(
    *, code: ErrorCode, message: str, path: str, details: Sequence[FieldError] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": code,
        "message": message,
        "timestamp": int(time.time()),
        "path": path,
    }
    if details is not None:
        body["details"] = [
            {"field": d.field, "message": d.message, "rejected_value": _writable(d.rejected_value)}
            for d in details
        ]
    return body


def _writable(value: Any) -> Any:
    # A rejected value is echoed as sent, unless the response could not carry it (an integer
    # beyond 64 bits, infinity, an unpaired surrogate): then as text, with what UTF-8 cannot
    # carry written as escapes (\ud800), so the client still gets its 400.
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:
        text = value if isinstance(value, str) else str(value)
        return text.encode("utf-8", "backslashreplace").decode()
    return value


def error_response(
    request: Request,
    status: int,
    code: ErrorCode,
    message: str,
    details: Sequence[FieldError] | None = None,
) -> FastJSONResponse:
    body = error_body(code=code, message=message, path=request.url.path, details=details)
    return FastJSONResponse(body, status_code=status)


def install_error_handlers(app: FastAPI, *, postgresql: bool) -> None:
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    # Database failures are answered by Starlette's inner exception middleware, like the
    # errors above. Only what is left reaches the outermost handler (Exception): that one
    # re-raises after answering, and uvicorn then logs the traceback again and closes the
    # connection, which in an outage would cost keep-alive clients a request on every 503.
    for candidate in failure_types(postgresql=postgresql):
        app.add_exception_handler(candidate, _database_failure)
    app.add_exception_handler(Exception, _unexpected_error)


async def _app_error(request: Request, exc: AppError) -> FastJSONResponse:
    return error_response(request, exc.status_code, exc.code, exc.message, exc.details)


async def _validation_error(request: Request, exc: RequestValidationError) -> FastJSONResponse:
    failed = ValidationFailed([_field_error(error) for error in exc.errors()])
    return await _app_error(request, failed)


async def _http_error(request: Request, exc: HTTPException) -> FastJSONResponse:
    if exc.status_code == 400:
        # FastAPI's "There was an error parsing the body": a body json.loads gave up on.
        return await _app_error(request, ValidationFailed([_unparsable_body(exc.__cause__)]))
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.HTTP_ERROR)
    response = error_response(request, exc.status_code, code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        response.headers["Allow"] = _allowed_methods(request)
    return response


def _allowed_methods(request: Request) -> str:
    # Routes are registered one per method (web/asgi.py), and Starlette's 405 names only the
    # first route whose path matched: collect every route's methods for this path.
    scope = {**request.scope, "method": ""}
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _unexpected_error(request: Request, exc: Exception) -> FastJSONResponse:
    response = await _unexpected_error_response(request, exc)
    # Starlette runs this handler outside every middleware, so the request-id middleware cannot
    # add its header to this response: echo the correlation id here.
    request_id = current_request_id()
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


async def _database_failure(request: Request, exc: Exception) -> FastJSONResponse:
    response = _failure_response(request, exc)
    if response is None:
        raise exc  # not the database's condition: a bug, for _unexpected_error
    return response


async def _unexpected_error_response(request: Request, exc: Exception) -> FastJSONResponse:
    response = _failure_response(request, exc)
    if response is not None:
        return response
    logger.exception("Unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)


def _failure_response(request: Request, exc: Exception) -> FastJSONResponse | None:
    failure = classify(exc)
    if failure is DatabaseFailure.TIMEOUT:
        logger.warning("Query timed out on %s %s", request.method, request.url.path)
        return _unavailable(
            request, ErrorCode.QUERY_TIMEOUT, "The query took too long; try a narrower filter."
        )
    if failure is DatabaseFailure.UNAVAILABLE:
        logger.error("Database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return _unavailable(
            request, ErrorCode.DATABASE_UNAVAILABLE, "The database is not reachable; retry shortly."
        )
    return None


def _unavailable(request: Request, code: ErrorCode, message: str) -> FastJSONResponse:
    response = error_response(request, 503, code, message)
    response.headers["Retry-After"] = "5"
    return response


def _field_error(error: dict[str, Any]) -> FieldError:
    if error.get("type") == "json_invalid":
        # FastAPI puts the character offset where the body's field would be ("[13]").
        return FieldError(field="body", message=_json_message(error))
    location = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    field = ""
    for part in location:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    too_deep = error.get("type") == "too_deep"  # echoing it would be as deep as the input
    return FieldError(
        field=field or "body",
        message=_message(error),
        rejected_value=None if too_deep else _json_safe(error.get("input")),
    )


def _json_message(error: dict[str, Any]) -> str:
    reason = error.get("ctx", {}).get("error", "invalid syntax")
    position = error.get("loc", (None, None))[-1]
    where = f" at character {position}" if isinstance(position, int) else ""
    return f"Malformed JSON request body{where}: {reason}"


def _unparsable_body(cause: BaseException | None) -> FieldError:
    if isinstance(cause, RecursionError):
        reason = "JSON nested too deeply"
    elif isinstance(cause, UnicodeDecodeError):
        reason = "not valid UTF-8"
    else:
        reason = "could not be parsed as JSON"
    return FieldError(field="body", message=f"Malformed JSON request body: {reason}")


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required"
    pattern = error.get("ctx", {}).get("pattern")
    if kind == "string_pattern_mismatch" and pattern == r"\S":
        return "must not be blank"
    if kind == "string_pattern_mismatch" and pattern == NO_NUL_PATTERN:
        return "must not contain the NUL character (U+0000)"
    if kind == "string_unicode":  # JSON may escape half a surrogate pair: "\ud800"
        return UNPAIRED_SURROGATE
    return str(error.get("msg", "is invalid"))


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
