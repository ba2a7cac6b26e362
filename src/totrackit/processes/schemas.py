"""Request and response bodies of the process endpoints (the wire contract, section 1)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from totrackit.processes.rules import DeadlineStatus, Status

NAME_PATTERN = r"^[a-zA-Z0-9_-]+$"
#: Text compared in SQL (ids, names, tag filters): PostgreSQL refuses U+0000 in text.
NO_NUL_PATTERN = r"^[^\x00]*$"

NonBlank = StringConstraints(pattern=r"\S")


def _storable(value: str) -> str:
    # PostgreSQL cannot store U+0000 in text or jsonb; refuse it on both databases alike.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain the NUL character (U+0000)")
    return value


#: Levels of objects and arrays ``context`` may nest (the context object itself is level 1).
#: orjson, which writes every response, stops at 255 levels including the response's own.
MAX_CONTEXT_DEPTH = 100


def _storable_json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _storable(item)
        elif isinstance(item, dict | list):
            if depth > MAX_CONTEXT_DEPTH:
                raise PydanticCustomError(
                    "too_deep",
                    "must not nest more than {limit} levels",
                    {"limit": MAX_CONTEXT_DEPTH},
                )
            children = [*item, *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return value


Storable = AfterValidator(_storable)


def _addressable(value: str) -> str:
    # A run is read, completed and deleted at /processes/{name}/{id}: an id with a slash can
    # never be addressed there (a client's %2F is decoded before routing), so it is refused
    # at create instead of producing a run nobody can finish.
    if "/" in value:
        raise PydanticCustomError(
            "id_slash", "must not contain '/': the run could not be read, completed or deleted"
        )
    return value


class Tag(BaseModel):
    model_config = ConfigDict(strict=True)

    key: Annotated[str, NonBlank, Storable, Field(min_length=1, max_length=50)]
    value: Annotated[str, NonBlank, Storable, Field(min_length=1, max_length=100)]


class NewProcessRequest(BaseModel):
    """Start a run. Unknown fields are ignored, as in the original."""

    # Strict: JSON types are taken as sent, never coerced (true or "1796161366" is not a
    # deadline, 123 is not an id), so a client's type mistake is a 400 naming the field.
    model_config = ConfigDict(
        strict=True,
        json_schema_extra={
            "example": {
                "id": "run-001",
                "deadline": 1752903600,
                "tags": [{"key": "country", "value": "DE"}],
                "context": {"customerId": "C1234"},
            }
        },
    )

    id: Annotated[
        str,
        NonBlank,
        Storable,
        AfterValidator(_addressable),
        Field(min_length=3, max_length=50, description="Process run id; any characters but '/'."),
    ]
    deadline: int | None = Field(
        None, ge=0, description="Deadline as Unix epoch seconds (optional)."
    )
    tags: list[Tag] | None = Field(None, description="Business tags, at most 20.")
    context: Annotated[dict[str, Any] | None, AfterValidator(_storable_json)] = Field(
        None, description="Free JSON context."
    )


def canonical(raw: str) -> str:
    """The one rule for status values on the wire, in bodies and query parameters alike: any
    case, surrounding spaces and ``-`` for ``_`` are accepted (``failed``, ``on-track``)."""
    return raw.strip().upper().replace("-", "_")


def _finish_status(value: object) -> Status:
    # ACTIVE passes here: the service refuses it with the original's INVALID_ARGUMENT.
    if isinstance(value, str) and canonical(value) in Status.__members__:
        return Status(canonical(value))
    raise PydanticCustomError("finish_status", "must be COMPLETED or FAILED")


class CompleteRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    status: Annotated[
        Status,
        BeforeValidator(_finish_status),
        WithJsonSchema({"type": "string", "enum": [Status.COMPLETED, Status.FAILED]}),
    ] = Field(
        Status.COMPLETED,
        description="COMPLETED (default) or FAILED, in any case; ACTIVE is refused (400).",
    )


class ProcessResponse(BaseModel):
    id: str
    name: str
    status: Status
    deadline_status: DeadlineStatus | None
    started_at: int = Field(description="Unix epoch seconds.")
    completed_at: int | None
    deadline: int | None
    tags: list[Tag]
    context: dict[str, Any]
    duration: int = Field(description="Seconds from start to completion, or to now if ACTIVE.")


class ProcessPage(BaseModel):
    data: list[ProcessResponse]
    total: int = Field(description="Matching runs (a lower bound when total_exact is false).")
    limit: int
    offset: int
    has_more: bool
    total_exact: bool = Field(
        True, description="False when the total was capped by TOTRACKIT_LIST_EXACT_COUNT_LIMIT."
    )
    next_cursor: str | None = Field(
        None,
        description="Pass as cursor to read the next page (keyset paging); null on the last "
        "page and for sort_by duration.",
    )
    total_estimate: int | None = Field(
        None,
        description="When total_exact is false: the database's estimate of the full count, "
        "from its statistics, without counting (PostgreSQL; null on SQLite).",
    )
