"""HTTP handlers for /processes: thin wrappers that call the process service."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import WithJsonSchema

from totrackit.errors import FieldError, ValidationFailed
from totrackit.processes.query import (
    TAGS_PATTERN,
    ListFilter,
    parse_cursor,
    parse_sort,
    parse_tags,
)
from totrackit.processes.rules import DeadlineStatus, Status
from totrackit.processes.schemas import (
    EPOCH_MAX,
    EPOCH_MIN,
    INT64_MAX,
    MAX_RUNNING_MINUTES,
    NAME_PATTERN,
    NO_NUL_PATTERN,
    CompleteRequest,
    NewProcessRequest,
    ProcessPage,
    ProcessResponse,
    canonical,
    one_of,
)
from totrackit.web.deps import SingleStatements, State, Transaction, require_json
from totrackit.web.openapi import api_error_responses
from totrackit.web.responses import FastJSONResponse

router = APIRouter(prefix="/processes", tags=["processes"])

Name = Annotated[
    str, Path(min_length=1, max_length=100, pattern=NAME_PATTERN, description="Process name.")
]
ProcessId = Annotated[
    str, Path(min_length=1, max_length=50, pattern=NO_NUL_PATTERN, description="Process run id.")
]


@router.post(
    "/{name}",
    status_code=201,
    response_model=ProcessResponse,
    dependencies=[Depends(require_json)],
    responses=api_error_responses(400, 401, 409, 413, 415),
    summary="Start a process run",
)
async def create_process(
    name: Name,
    request: Annotated[NewProcessRequest, Body()],
    state: State,
    conn: SingleStatements,
) -> FastJSONResponse:
    run = await state.processes.start(conn, name=name, request=request)
    return FastJSONResponse(run.to_wire(state.clock.now()), status_code=201)


@router.get(
    "/{name}/{process_id}",
    response_model=ProcessResponse,
    responses=api_error_responses(400, 401, 404),
    summary="Get a process run",
)
async def get_process(
    name: Name, process_id: ProcessId, state: State, conn: SingleStatements
) -> FastJSONResponse:
    run = await state.processes.get(conn, name=name, process_id=process_id)
    return FastJSONResponse(run.to_wire(state.clock.now()))


@router.put(
    "/{name}/{process_id}/complete",
    response_model=ProcessResponse,
    dependencies=[Depends(require_json)],
    responses=api_error_responses(400, 401, 404, 409, 413, 415),
    summary="Complete or fail a process run",
)
async def complete_process(
    name: Name,
    process_id: ProcessId,
    state: State,
    conn: SingleStatements,
    request: Annotated[CompleteRequest | None, Body()] = None,
) -> FastJSONResponse:
    status = request.status if request else Status.COMPLETED
    run = await state.processes.finish(conn, name=name, process_id=process_id, status=status)
    return FastJSONResponse(run.to_wire(state.clock.now()))


@router.delete(
    "/{name}/{process_id}",
    status_code=204,
    response_class=Response,
    responses=api_error_responses(400, 401, 404),
    summary="Delete a process run",
)
async def delete_process(
    name: Name, process_id: ProcessId, state: State, conn: Transaction
) -> Response:
    await state.processes.delete(conn, name=name, process_id=process_id)
    return Response(status_code=204)


@router.get(
    "",
    response_model=ProcessPage,
    responses=api_error_responses(400, 401),
    summary="List process runs",
)
@router.get("/", include_in_schema=False)
async def list_processes(
    state: State,
    conn: Transaction,
    name: Annotated[
        str | None, Query(pattern=NO_NUL_PATTERN, description="Exact process name.")
    ] = None,
    id: Annotated[
        str | None, Query(pattern=NO_NUL_PATTERN, description="Exact process run id.")
    ] = None,
    status: Annotated[
        str | None,
        Query(description="ACTIVE, COMPLETED or FAILED, in any case."),
        one_of(Status),
    ] = None,
    deadline_status: Annotated[
        str | None,
        Query(
            alias="deadlineStatus",
            description="ON_TRACK, MISSED, COMPLETED_ON_TIME or COMPLETED_LATE, in any case.",
        ),
        one_of(DeadlineStatus),
    ] = None,
    deadline_before: Annotated[
        int | None,
        Query(
            alias="deadlineBefore",
            ge=EPOCH_MIN,
            le=EPOCH_MAX,
            description="Deadline strictly before (epoch s).",
        ),
    ] = None,
    deadline_after: Annotated[
        int | None,
        Query(
            alias="deadlineAfter",
            ge=EPOCH_MIN,
            le=EPOCH_MAX,
            description="Deadline strictly after (epoch s).",
        ),
    ] = None,
    running_duration_min: Annotated[
        int | None,
        Query(
            alias="runningDurationMin",
            ge=0,
            le=MAX_RUNNING_MINUTES,
            description="ACTIVE runs started at least N minutes ago.",
        ),
    ] = None,
    sort_by: Annotated[
        str | None,
        Query(
            description="field[:asc|desc]; fields: started_at, completed_at, deadline, name, status, duration."
        ),
    ] = None,
    tags: Annotated[
        str | None,
        Query(pattern=NO_NUL_PATTERN, description="k1:v1,k2:v2 (all must match)."),
        # Declared whole for clients; parse_tags checks it with a message naming the piece.
        WithJsonSchema({"type": "string", "pattern": TAGS_PATTERN}),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    cursor: Annotated[
        str | None,
        Query(
            description="next_cursor of the previous page: continues after it (same filters and "
            "sort_by; not with offset). Deep pages then cost what the first page costs."
        ),
    ] = None,
) -> FastJSONResponse:
    sort = parse_sort(sort_by)
    after = parse_cursor(cursor, sort)
    if after is not None and offset:
        raise ValidationFailed([FieldError("offset", "must be 0 when a cursor is given", offset)])
    where = ListFilter(
        name=name,
        process_id=id,
        status=_enum("status", status, Status),
        deadline_status=_enum("deadlineStatus", deadline_status, DeadlineStatus),
        deadline_before=_instant("deadlineBefore", deadline_before),
        deadline_after=_instant("deadlineAfter", deadline_after),
        running_for_minutes=running_duration_min,
        tags=parse_tags(tags),
    )
    page = await state.processes.list(
        conn, where=where, sort=sort, limit=limit, offset=offset, cursor=after
    )
    return FastJSONResponse(
        {
            "data": [run.to_wire(page.now) for run in page.runs],
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
            "has_more": page.has_more,
            "total_exact": page.total_exact,
            "next_cursor": page.next_cursor,
            "total_estimate": page.total_estimate,
        }
    )


E = TypeVar("E", bound=StrEnum)


def _enum(field: str, raw: str | None, enum: type[E]) -> E | None:
    if raw is None:
        return None
    try:
        return enum(canonical(raw))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationFailed([FieldError(field, f"must be one of {allowed}", raw)]) from None


def _instant(field: str, epoch: int | None) -> datetime | None:
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValidationFailed([FieldError(field, "is out of range", epoch)]) from None
