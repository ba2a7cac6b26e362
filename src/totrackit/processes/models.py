"""A process run as the domain sees it (its rules are in ``processes.rules``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from totrackit.clock import epoch_seconds
from totrackit.processes.rules import DeadlineStatus, Status, deadline_status


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
        """The live deadline status (contract 2.1, ``processes.rules``)."""
        return deadline_status(
            self.status, deadline=self.deadline, completed_at=self.completed_at, now=now
        )

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
