"""Parsing the list endpoint's query language: ``sort_by`` and ``tags`` (contract 1.7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from totrackit.errors import FieldError, ValidationFailed
from totrackit.processes.rules import DeadlineStatus, Status


class SortField(StrEnum):
    STARTED_AT = "started_at"
    COMPLETED_AT = "completed_at"
    DEADLINE = "deadline"
    NAME = "name"
    STATUS = "status"
    DURATION = "duration"


@dataclass(frozen=True)
class Sort:
    field: SortField = SortField.STARTED_AT
    descending: bool = True


@dataclass(frozen=True)
class ListFilter:
    name: str | None = None
    process_id: str | None = None
    status: Status | None = None
    deadline_status: DeadlineStatus | None = None
    deadline_before: datetime | None = None
    deadline_after: datetime | None = None
    running_for_minutes: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    #: When set, only these run primary keys can match (a tag filter resolved up front).
    candidate_pks: tuple[int, ...] | None = None
    #: The tag filter matches more runs than the probe counts (so no exact total is attempted).
    common_tags: bool = False


def parse_sort(raw: str | None) -> Sort:
    """Parse ``field[:asc|desc]``; only the first comma-separated item counts.

    Kept exactly as the original behaves, because clients depend on it: no direction means
    ascending, any direction other than ``asc`` means descending, and an unknown field falls back
    to ``started_at`` while keeping the parsed direction.
    """
    if raw is None or not raw.strip():
        return Sort()
    first = raw.split(",", 1)[0].strip()
    name, _, direction = first.partition(":")
    descending = bool(direction) and direction.strip().lower() != "asc"
    try:
        sort_field = SortField(name.strip().lower())
    except ValueError:
        sort_field = SortField.STARTED_AT
    return Sort(field=sort_field, descending=descending)


def parse_tags(raw: str | None) -> dict[str, str]:
    """Parse ``k1:v1,k2:v2`` into pairs that must all match; a later duplicate key wins.

    Empty pieces (``a:b,``) are skipped. A piece without a colon, or with an empty key or
    value, is a 400 on ``tags``: the original dropped it silently and answered as if that
    filter had not been asked for, which looks like a match.
    """
    pairs: dict[str, str] = {}
    for piece in (raw or "").split(","):
        if not piece.strip():
            continue
        key, colon, value = (part.strip() for part in piece.strip().partition(":"))
        if not (colon and key and value):
            raise ValidationFailed(
                [FieldError("tags", f"'{piece.strip()}' is not key:value (both non-empty)", raw)]
            )
        pairs[key] = value
    return pairs
