"""Request and response bodies of the process endpoints (the wire contract, section 1)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from totrackit.processes.rules import DeadlineStatus, Status

NAME_PATTERN = r"^[a-zA-Z0-9_-]+$"

NonBlank = StringConstraints(pattern=r"\S")


class Tag(BaseModel):
    key: Annotated[str, NonBlank, Field(min_length=1, max_length=50)]
    value: Annotated[str, NonBlank, Field(min_length=1, max_length=100)]


class NewProcessRequest(BaseModel):
    """Start a run. Unknown fields are ignored, as in the original."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "run-001",
                "deadline": 1752903600,
                "tags": [{"key": "country", "value": "DE"}],
                "context": {"customerId": "C1234"},
            }
        }
    )

    id: Annotated[str, NonBlank, Field(min_length=3, max_length=50, description="Process run id.")]
    deadline: int | None = Field(
        None, ge=0, description="Deadline as Unix epoch seconds (optional)."
    )
    tags: list[Tag] | None = Field(None, description="Business tags, at most 20.")
    context: dict[str, Any] | None = Field(None, description="Free JSON context.")


class CompleteRequest(BaseModel):
    status: Status = Field(
        Status.COMPLETED, description="COMPLETED (default) or FAILED; ACTIVE is rejected."
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
