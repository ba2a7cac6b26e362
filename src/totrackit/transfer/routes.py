"""``POST /imports``: runs uploaded as JSON Lines or CSV, streamed into the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from totrackit.errors import ImportRejected, UnsupportedMediaType
from totrackit.transfer import runs
from totrackit.transfer.progress import Progress
from totrackit.transfer.schemas import ImportResult
from totrackit.web.deps import State
from totrackit.web.openapi import api_error_responses

router = APIRouter(tags=["imports"])

JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
CSV = "text/csv"

_BODY = {
    "required": True,
    "content": {
        **{media: {"schema": {"type": "string"}} for media in JSON_LINES},
        CSV: {"schema": {"type": "string"}},
    },
    "description": (
        "One run per line: the body GET /processes/{name}/{id} answers (JSON Lines), or CSV "
        "with the header name,id,status,started_at,completed_at,deadline,tags,context."
    ),
}


@router.post(
    "/imports",
    response_model=ImportResult,
    responses=api_error_responses(400, 401, 413, 415, 422),
    openapi_extra={"requestBody": _BODY},
    summary="Import runs (JSON Lines or CSV)",
)
async def import_runs(
    request: Request,
    state: State,
    skip_invalid: Annotated[
        bool, Query(description="Import the valid lines even when others are rejected.")
    ] = False,
) -> ImportResult:
    parse = _parser(request.headers.get("content-type"))
    report = await runs.import_runs(
        state.db,
        parse(request.stream()),
        skip_invalid=skip_invalid,
        warning_threshold=state.settings.deadlines.warning_threshold,
        progress=Progress("import", enabled=False),
    )
    if not report.applied:
        raise ImportRejected(report.rejected, report.read, report.problems)
    return ImportResult(
        read=report.read,
        imported=report.imported,
        skipped=report.skipped,
        rejected=report.rejected,
    )


def _parser(content_type: str | None) -> runs.Parser:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in JSON_LINES:
        return runs.parse_jsonl
    if media == CSV:
        return runs.parse_csv
    raise UnsupportedMediaType(
        f"Unsupported content type '{media or 'none'}'; send application/x-ndjson (JSON Lines) "
        "or text/csv"
    )
