"""Request and response bodies of the process endpoints (the wire contract, section 1)."""

from __future__ import annotations

import math
from enum import StrEnum
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

#: Tags a run may carry (the original's limit).
MAX_TAGS = 20

#: The epoch-second range a time on the wire may take: what a timestamp column and Python's
#: datetime both hold (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z). Declared in the OpenAPI
#: document so clients (and fuzzers) know it; outside it is a 400 naming the field.
EPOCH_MIN = -62_135_596_800
EPOCH_MAX = 253_402_300_799
#: JSON numbers in ``context`` must survive the round trip through every response (orjson
#: writes 64-bit integers and finite floats only).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


#: ``runningDurationMin``: about 1,900 years, so ``now`` minus it stays a representable time.
MAX_RUNNING_MINUTES = 1_000_000_000


def one_of(values: type[StrEnum]) -> WithJsonSchema:
    """The OpenAPI schema of a status-like parameter: its values, as ``canonical`` reads them."""
    return WithJsonSchema({"type": "string", "enum": [member.value for member in values]})


def _length(low: int, high: int) -> StringConstraints:
    # Length first: pydantic reports a length constraint that follows a validator as a
    # sequence's ("at least 3 items"), not as a string's ("at least 3 characters").
    return StringConstraints(min_length=low, max_length=high)


#: Half of a surrogate pair, which JSON may escape ("\ud800"), is no character: no database
#: stores it and no response could echo it. Pydantic refuses it in string fields; this says why.
UNPAIRED_SURROGATE = (
    "must be valid Unicode: an unpaired surrogate (U+D800 to U+DFFF) is no character"
)


def _storable(value: str) -> str:
    # PostgreSQL cannot store U+0000 in text or jsonb; refuse it on both databases alike.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain the NUL character (U+0000)")
    if not value.isascii():  # strings inside ``context``, which pydantic does not check
        try:
            value.encode()
        except UnicodeEncodeError:
            raise PydanticCustomError("unpaired_surrogate", UNPAIRED_SURROGATE) from None
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
        elif isinstance(item, bool):
            pass
        elif isinstance(item, float) and not math.isfinite(item):
            # json.loads reads 1e400 as infinity, which no response could carry back.
            raise PydanticCustomError("float_range", "numbers must be finite")
        elif isinstance(item, int) and not INT64_MIN <= item <= INT64_MAX:
            # orjson writes 64-bit integers only. A float (6.02e23) is kept as it is.
            raise PydanticCustomError(
                "int_range",
                "integers must fit in 64 bits (-2^63 to 2^63-1); send larger ones as text "
                "or with an exponent (1e20)",
            )
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


#: The declared form of the text rules above: something besides whitespace, and no NUL.
_TEXT = {"pattern": r"^[^\x00]*[^\x00\s][^\x00]*$"}


def _whole_number(value: object) -> object:
    # JSON has one number type: 1796161366.0 is the integer 1796161366 (as JSON Schema says);
    # 1796161366.5 stays a float, which the strict int refuses.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: ``context`` as the OpenAPI document declares it: what _storable_json lets through (integers
#: within 64 bits, finite numbers, text and keys without NUL, any nesting). Installed as
#: the components schema CONTEXT_VALUE by web/openapi.py.
CONTEXT_VALUE = "ContextValue"
_CONTEXT_REF = {"$ref": f"#/components/schemas/{CONTEXT_VALUE}"}
CONTEXT_OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": NO_NUL_PATTERN},
    "additionalProperties": _CONTEXT_REF,
}
CONTEXT_VALUE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": NO_NUL_PATTERN},
        {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX},
        # JSON Schema cannot tell 1e20 from 100000000000000000000: the rule above refuses
        # only the second, an integer literal beyond 64 bits.
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": _CONTEXT_REF},
        CONTEXT_OBJECT_SCHEMA,
    ]
}


class Tag(BaseModel):
    model_config = ConfigDict(strict=True)

    key: Annotated[str, _length(1, 50), NonBlank, Storable, Field(json_schema_extra=_TEXT)]
    value: Annotated[str, _length(1, 100), NonBlank, Storable, Field(json_schema_extra=_TEXT)]


class NewProcessRequest(BaseModel):
    """Start a run. Unknown fields are ignored, as in the original."""

    # Strict: JSON types are taken as sent, never coerced (true or "1796161366" is not a
    # deadline, 123 is not an id), so a client's type mistake is a 400 naming the field.
    model_config = ConfigDict(
        strict=True,
        json_schema_extra={
            "example": {
                "id": "run-001",
                "deadline": 4102444800,
                "tags": [{"key": "country", "value": "DE"}],
                "context": {"customerId": "C1234"},
            }
        },
    )

    id: Annotated[
        str,
        _length(3, 50),
        NonBlank,
        Storable,
        AfterValidator(_addressable),
        Field(
            description="Process run id; any characters but '/'.",
            json_schema_extra={"pattern": r"^[^/\x00]*[^/\x00\s][^/\x00]*$"},
        ),
    ]
    deadline: Annotated[int | None, BeforeValidator(_whole_number)] = Field(
        None, ge=0, le=EPOCH_MAX, description="Deadline as Unix epoch seconds (optional)."
    )
    # The limit is checked by the service, with the original's message; declared here.
    tags: list[Tag] | None = Field(
        None,
        description=f"Business tags, at most {MAX_TAGS}.",
        json_schema_extra={"maxItems": MAX_TAGS},
    )
    context: Annotated[
        dict[str, Any] | None,
        AfterValidator(_storable_json),
        WithJsonSchema({"anyOf": [CONTEXT_OBJECT_SCHEMA, {"type": "null"}]}),
    ] = Field(None, description="Free JSON context.")


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
