"""Response bodies of the analytics endpoints (contract section 3), for the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DurationStats(BaseModel):
    count: int
    avg_seconds: float
    p50_seconds: float = Field(description="Median, linear interpolation (percentile_cont).")
    p90_seconds: float
    p99_seconds: float


class TagImpactEntry(BaseModel):
    key: str
    value: str
    overdue: int
    on_track: int
    completed_late: int
    completed_on_time: int
    failed: int
    total: int
    problems: int = Field(description="overdue + completed_late + failed")
    duration: DurationStats | None


class TagImpactResponse(BaseModel):
    window_hours: int
    generated_at: int
    total_processes: int
    problem_processes: int
    duration: DurationStats | None
    tags: list[TagImpactEntry]


class SummaryResponse(BaseModel):
    generated_at: int
    total: int
    active: int
    completed: int
    failed: int
    overdue: int
    on_track: int
    completed_on_time: int
    completed_late: int
    completed_24h: int
    completed_on_time_24h: int
    failed_24h: int


class NameRollup(BaseModel):
    name: str
    total: int
    active: int
    failed: int
    overdue: int
    completed: int
    completed_on_time: int
    completed_late: int
    last_started_at: int


class NameRollupPage(BaseModel):
    data: list[NameRollup]
    total: int
    limit: int
    offset: int
    has_more: bool
