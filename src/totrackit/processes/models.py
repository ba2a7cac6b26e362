"""A process run as the domain sees it, and the deadline rules computed from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from totrackit.clock import epoch_seconds


class Status(StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class DeadlineStatus(StrEnum):
    ON_TRACK = "ON_TRACK"
    MISSED = "MISSED"
    COMPLETED_ON_TIME = "COMPLETED_ON_TIME"
    COMPLETED_LATE = "COMPLETED_LATE"


def warnings_enabled(threshold: float) -> bool:
    """Contract 4.2: a warning threshold outside (0, 1) disables deadline warnings."""
    return 0 < threshold < 1


def warning_point(
    *, started_at: datetime, deadline: datetime | None, threshold: float
) -> datetime | None:
    """When a run has used ``threshold`` of its deadline budget (contract 4.2), or None when
    it gets no warning: no deadline, a deadline not after the start, or warnings disabled."""
    if deadline is None or deadline <= started_at or not warnings_enabled(threshold):
        return None
    return started_at + (deadline - started_at) * threshold


@dataclass(frozen=True, slots=True)
class ProcessRun:
    pk: int
    process_id: str
    name: str
    status: Status
    started_at: datetime
    completed_at: datetime | None
    deadline: datetime | None
    tags: list[dict[str, str]]
    context: dict[str, Any]

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> ProcessRun:
        return cls(
            pk=row["id"],
            process_id=row["process_id"],
            name=row["name"],
            status=Status(row["status"]),
            started_at=row["started_at"],
            completed_at=row["completed_at"],
            deadline=row["deadline"],
            tags=row["tags"] or [],
            context=row["context"] or {},
        )

    def deadline_status(self, now: datetime) -> DeadlineStatus | None:
        """The live deadline status (contract 2.1); None without a deadline or when FAILED."""
        if self.deadline is None or self.status is Status.FAILED:
            return None
        if self.status is Status.ACTIVE:
            return DeadlineStatus.MISSED if now > self.deadline else DeadlineStatus.ON_TRACK
        assert self.completed_at is not None
        if self.completed_at <= self.deadline:
            return DeadlineStatus.COMPLETED_ON_TIME
        return DeadlineStatus.COMPLETED_LATE

    def duration_seconds(self, now: datetime) -> int:
        """Whole seconds from start to completion, or to now while the run is ACTIVE."""
        end = self.completed_at or now
        return epoch_seconds(end) - epoch_seconds(self.started_at)

    def to_wire(self, now: datetime) -> dict[str, Any]:
        """The ProcessResponse body; null scalars are sent as null, arrays always present."""
        status = self.deadline_status(now)
        return {
            "id": self.process_id,
            "name": self.name,
            "status": self.status.value,
            "deadline_status": status.value if status else None,
            "started_at": epoch_seconds(self.started_at),
            "completed_at": epoch_seconds(self.completed_at) if self.completed_at else None,
            "deadline": epoch_seconds(self.deadline) if self.deadline else None,
            "tags": self.tags,
            "context": self.context,
            "duration": self.duration_seconds(now),
        }
