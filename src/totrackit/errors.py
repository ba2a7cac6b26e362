"""Domain errors. Each carries its HTTP status and wire code; ``web.errors`` renders them.

AppError
├── InvalidArgument          400 INVALID_ARGUMENT   a business rule rejected the input
├── ValidationFailed         400 VALIDATION_ERROR   malformed input, with per-field details
├── Unauthorized             401 UNAUTHORIZED
├── ProcessNotFound          404 PROCESS_NOT_FOUND
├── ProcessAlreadyExists     409 PROCESS_ALREADY_EXISTS
├── ProcessAlreadyCompleted  409 PROCESS_ALREADY_COMPLETED
└── UnsupportedMediaType     415 UNSUPPORTED_MEDIA_TYPE
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    rejected_value: Any = None


class AppError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidArgument(AppError):
    status_code = 400
    code = "INVALID_ARGUMENT"


class ValidationFailed(AppError):
    status_code = 400
    code = "VALIDATION_ERROR"

    def __init__(self, details: list[FieldError]) -> None:
        super().__init__("Request validation failed", details)


class Unauthorized(AppError):
    status_code = 401
    code = "UNAUTHORIZED"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class ProcessNotFound(AppError):
    status_code = 404
    code = "PROCESS_NOT_FOUND"

    def __init__(self, name: str, process_id: str) -> None:
        super().__init__(f"Process not found: name='{name}', id='{process_id}'")


class ProcessAlreadyExists(AppError):
    status_code = 409
    code = "PROCESS_ALREADY_EXISTS"

    def __init__(self, name: str, process_id: str) -> None:
        super().__init__(f"Active process already exists: name='{name}', id='{process_id}'")


class ProcessAlreadyCompleted(AppError):
    status_code = 409
    code = "PROCESS_ALREADY_COMPLETED"

    def __init__(self, name: str, process_id: str) -> None:
        super().__init__(f"Process is already completed: name='{name}', id='{process_id}'")
