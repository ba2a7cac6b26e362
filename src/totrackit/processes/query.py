"""Parsing the list endpoint's query language: ``sort_by``, ``tags`` (contract 1.7) and the
opaque ``cursor`` of keyset paging (an addition: deep pages cost what the first page costs)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson

from totrackit.db.types import from_micros, to_micros
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


#: Sort fields a cursor can continue: stored columns (duration depends on ``now``, so its order
#: moves between requests and only offset paging applies to it).
CURSOR_FIELDS = (
    SortField.STARTED_AT,
    SortField.COMPLETED_AT,
    SortField.DEADLINE,
    SortField.NAME,
    SortField.STATUS,
)
_TIMESTAMP_FIELDS = (SortField.STARTED_AT, SortField.COMPLETED_AT, SortField.DEADLINE)


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last run's sort value and primary key, for the sort it was read in.

    The next page continues strictly after ``(value, pk)`` in the list order (the sort column,
    then ``id DESC``), an index seek however deep the page is.
    """

    sort: Sort
    value: Any
    pk: int

    def encode(self) -> str:
        value = self.value
        if isinstance(value, datetime):
            value = to_micros(value)
        raw = orjson.dumps([self.sort.field.value, self.sort.descending, value, self.pk])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_cursor(raw: str | None, sort: Sort) -> Cursor | None:
    """Decode a ``cursor``; a 400 on ``cursor`` when it is not one this service wrote for the
    same ``sort_by``, or the sort cannot be continued by a cursor."""
    if raw is None or not raw.strip():
        return None
    if sort.field not in CURSOR_FIELDS:
        raise _cursor_error("cursor paging does not apply to sort_by duration; use offset", raw)
    try:
        padded = raw.strip() + "=" * (-len(raw.strip()) % 4)
        field_name, descending, value, pk = orjson.loads(base64.urlsafe_b64decode(padded))
        cursor_sort = Sort(field=SortField(field_name), descending=bool(descending))
        if not isinstance(pk, int) or not _valid_value(cursor_sort.field, value):
            raise ValueError(raw)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise _cursor_error("is not a cursor returned by this list (next_cursor)", raw) from None
    if cursor_sort != sort:
        raise _cursor_error("was returned for another sort_by; pass the same sort_by", raw)
    if value is not None and sort.field in _TIMESTAMP_FIELDS:
        value = from_micros(value)
    return Cursor(sort=sort, value=value, pk=pk)


def _valid_value(sort_field: SortField, value: Any) -> bool:
    if sort_field in _TIMESTAMP_FIELDS:
        # completed_at and deadline may be NULL (they sort last)
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    return isinstance(value, str)


def _cursor_error(message: str, raw: str) -> ValidationFailed:
    return ValidationFailed([FieldError("cursor", message, raw)])


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


_TAG_KEY = r"[^,:\x00]*[^,:\s\x00][^,:\x00]*"
_TAG_VALUE = r"[^,\x00]*[^,\s\x00][^,\x00]*"
_TAG_PIECE = rf"(?:\s*|\s*{_TAG_KEY}:{_TAG_VALUE})"
#: What ``parse_tags`` accepts, as the OpenAPI document declares it (a test checks both agree).
TAGS_PATTERN = rf"^{_TAG_PIECE}(?:,{_TAG_PIECE})*$"


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
