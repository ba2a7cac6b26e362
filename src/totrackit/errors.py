"""Domain errors and the registry of every error code the API answers with.

``ErrorCode`` lists each ``error`` value a response body can carry, with its HTTP status;
docs/api.md's error table must match it (tests/test_error_codes.py). Everything that writes an
error body takes an ``ErrorCode``, so a new code cannot reach the wire without being registered.

Each domain error carries its status and code; ``web.errors`` renders them:

AppError
├── InvalidArgument          400 INVALID_ARGUMENT   a business rule rejected the input
├── ValidationFailed         400 VALIDATION_ERROR   malformed input, with per-field details
├── Unauthorized             401 UNAUTHORIZED
├── ProcessNotFound          404 PROCESS_NOT_FOUND
├── ProcessAlreadyExists     409 PROCESS_ALREADY_EXISTS
├── ProcessAlreadyCompleted  409 PROCESS_ALREADY_COMPLETED
├── UnsupportedMediaType     415 UNSUPPORTED_MEDIA_TYPE
└── ImportRejected           422 IMPORT_REJECTED    lines of an upload, each named in details
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    #: The HTTP parser could not read the request (server/protocol.py), before any route.
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    UNAUTHORIZED = "UNAUTHORIZED"
    PROCESS_NOT_FOUND = "PROCESS_NOT_FOUND"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    PROCESS_ALREADY_EXISTS = "PROCESS_ALREADY_EXISTS"
    PROCESS_ALREADY_COMPLETED = "PROCESS_ALREADY_COMPLETED"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    URI_TOO_LONG = "URI_TOO_LONG"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    IMPORT_REJECTED = "IMPORT_REJECTED"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    STARTING = "STARTING"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    QUERY_TIMEOUT = "QUERY_TIMEOUT"
    #: A framework HTTP error with a status no other code covers (not expected to happen).
    HTTP_ERROR = "HTTP_ERROR"

    @property
    def status(self) -> int | None:
        """The HTTP status this code is sent with; None for ``HTTP_ERROR`` (any other)."""
        return _STATUS.get(self)


_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.MALFORMED_REQUEST: 400,
    ErrorCode.INVALID_ARGUMENT: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.PROCESS_NOT_FOUND: 404,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.PROCESS_ALREADY_EXISTS: 409,
    ErrorCode.PROCESS_ALREADY_COMPLETED: 409,
    ErrorCode.REQUEST_TIMEOUT: 408,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.URI_TOO_LONG: 414,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.IMPORT_REJECTED: 422,
    ErrorCode.TOO_MANY_REQUESTS: 429,
    ErrorCode.HEADERS_TOO_LARGE: 431,
    ErrorCode.INTERNAL_SERVER_ERROR: 500,
    ErrorCode.STARTING: 503,
    ErrorCode.DATABASE_UNAVAILABLE: 503,
    ErrorCode.QUERY_TIMEOUT: 503,
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    rejected_value: Any = None


class AppError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidArgument(AppError):
    status_code = 400
    code = ErrorCode.INVALID_ARGUMENT


class ValidationFailed(AppError):
    status_code = 400
    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, details: list[FieldError]) -> None:
        super().__init__("Request validation failed", details)


class Unauthorized(AppError):
    status_code = 401
    code = ErrorCode.UNAUTHORIZED


class UnsupportedMediaType(AppError):
    status_code = 415
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class ProcessNotFound(AppError):
    status_code = 404
    code = ErrorCode.PROCESS_NOT_FOUND

    def __init__(self, name: str, process_id: str) -> None:
        super().__init__(f"Process not found: name='{name}', id='{process_id}'")


class ProcessAlreadyExists(AppError):
    status_code = 409
    code = ErrorCode.PROCESS_ALREADY_EXISTS

    def __init__(self, name: str, process_id: str) -> None:
        super().__init__(f"Active process already exists: name='{name}', id='{process_id}'")


class ProcessAlreadyCompleted(AppError):
    status_code = 409
    code = ErrorCode.PROCESS_ALREADY_COMPLETED

    def __init__(self, name: str, process_id: str) -> None:
        super().__init__(f"Process is already completed: name='{name}', id='{process_id}'")


class ImportRejected(AppError):
    """An upload with rejected lines: nothing of it was applied; ``details`` names each line."""

    status_code = 422
    code = ErrorCode.IMPORT_REJECTED

    def __init__(self, rejected: int, read: int, lines: list[tuple[int, str]]) -> None:
        super().__init__(
            f"{rejected} of {read} line(s) rejected: nothing was imported",
            [FieldError(field=f"line {number}", message=reason) for number, reason in lines],
        )
