"""What the deadline engine works with: events, due runs and outbox rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    DEADLINE_WARNING = "process.deadline_warning"
    DEADLINE_MISSED = "process.deadline_missed"

    @property
    def label(self) -> str:
        """The ``event`` label value of the backlog gauge (contract 4.4)."""
        return self.value.removeprefix("process.")


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD"


@dataclass(frozen=True, slots=True)
class DueRun:
    """A run the scanner has just marked: what the event payload is built from."""

    pk: int
    name: str
    process_id: str
    started_at: datetime
    deadline: datetime
    tags: list[dict[str, str]]
    context: dict[str, Any]
    warning_due_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> DueRun:
        return cls(
            pk=row["id"],
            name=row["name"],
            process_id=row["process_id"],
            started_at=row["started_at"],
            deadline=row["deadline"],
            tags=row["tags"] or [],
            context=row["context"] or {},
            warning_due_at=row["warning_due_at"],
        )


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One event on its way to one receiver."""

    pk: int
    event_id: str
    endpoint: str
    event: EventType
    process_name: str
    process_id: str
    payload: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    enqueued_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> OutboxEvent:
        return cls(
            pk=row["id"],
            event_id=row["event_id"],
            endpoint=row["endpoint"],
            event=EventType(row["event"]),
            process_name=row["process_name"],
            process_id=row["process_id"],
            payload=row["payload"],
            status=OutboxStatus(row["status"]),
            attempts=row["attempts"],
            created_at=row["created_at"],
            enqueued_at=row["enqueued_at"],
            next_attempt_at=row["next_attempt_at"],
            last_attempt_at=row["last_attempt_at"],
            delivered_at=row["delivered_at"],
            last_status_code=row["last_status_code"],
            last_error=row["last_error"],
        )
