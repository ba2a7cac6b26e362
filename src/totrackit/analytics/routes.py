"""HTTP handlers for /analytics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from totrackit.analytics.schemas import NameRollupPage, SummaryResponse, TagImpactResponse
from totrackit.processes.schemas import INT64_MAX, NO_NUL_PATTERN
from totrackit.web.deps import State, Transaction
from totrackit.web.openapi import api_error_responses
from totrackit.web.responses import FastJSONResponse

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get(
    "/tags",
    response_model=TagImpactResponse,
    responses=api_error_responses(400),
    summary="Per-tag impact and latency percentiles",
)
async def tag_impact(
    state: State,
    conn: Transaction,
    name: Annotated[
        str | None, Query(pattern=NO_NUL_PATTERN, description="Only runs of this name.")
    ] = None,
    window_hours: Annotated[int, Query(ge=1, le=720)] = 24,
) -> FastJSONResponse:
    body = await state.analytics.tag_impact(conn, window_hours=window_hours, name=name)
    return FastJSONResponse(body)


@router.get(
    "/summary",
    response_model=SummaryResponse,
    responses=api_error_responses(),
    summary="Workspace headline counts",
)
async def summary(state: State, conn: Transaction) -> FastJSONResponse:
    return FastJSONResponse(await state.analytics.summary(conn))


@router.get(
    "/names",
    response_model=NameRollupPage,
    responses=api_error_responses(400),
    summary="Per-name rollups",
)
async def names(
    state: State,
    conn: Transaction,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> FastJSONResponse:
    return FastJSONResponse(await state.analytics.names(conn, limit=limit, offset=offset))
