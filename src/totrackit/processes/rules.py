"""The deadline rule (contract 2.1), once in Python and once as SQL; nothing else restates it.

    ACTIVE    with a deadline: MISSED once ``now`` is past it, ON_TRACK until then (at the
              deadline itself the run is still on track)
    COMPLETED with a deadline: COMPLETED_ON_TIME at or before it, COMPLETED_LATE after
    FAILED, or no deadline: no deadline status

``deadline_status`` answers for one run in Python; the SQL expressions answer for many rows,
in lists, analytics, the scanner and the gauges. ``tests/processes/test_rules.py`` checks on
both databases that the two agree, boundaries included.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, literal_column

from totrackit.db.tables import processes as p


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


def deadline_status(
    status: Status, *, deadline: datetime | None, completed_at: datetime | None, now: datetime
) -> DeadlineStatus | None:
    """The live deadline status of one run, or None without a deadline or when FAILED."""
    if deadline is None or status is Status.FAILED:
        return None
    if status is Status.ACTIVE:
        return DeadlineStatus.MISSED if now > deadline else DeadlineStatus.ON_TRACK
    if completed_at is None:
        raise ValueError("a COMPLETED run has a completion time")
    if completed_at <= deadline:
        return DeadlineStatus.COMPLETED_ON_TIME
    return DeadlineStatus.COMPLETED_LATE


def is_status(status: Status) -> ColumnElement[bool]:
    # The status as a literal, not a bound parameter: partial indexes (``WHERE status =
    # 'ACTIVE'``) are only used when the planner sees the same constant in the query.
    return p.c.status == literal_column(f"'{status.value}'")


def is_overdue(now: datetime) -> ColumnElement[bool]:
    """ACTIVE and past its deadline: deadline status MISSED."""
    return and_(is_status(Status.ACTIVE), p.c.deadline.is_not(None), p.c.deadline < now)


def is_on_track(now: datetime) -> ColumnElement[bool]:
    """ACTIVE with a deadline not yet passed."""
    return and_(is_status(Status.ACTIVE), p.c.deadline.is_not(None), p.c.deadline >= now)


def completed_on_time() -> ColumnElement[bool]:
    return and_(
        is_status(Status.COMPLETED), p.c.deadline.is_not(None), p.c.completed_at <= p.c.deadline
    )


def completed_late() -> ColumnElement[bool]:
    return and_(
        is_status(Status.COMPLETED), p.c.deadline.is_not(None), p.c.completed_at > p.c.deadline
    )


def has_deadline_status(status: DeadlineStatus, now: datetime) -> ColumnElement[bool]:
    """The rows whose ``deadline_status`` is ``status``."""
    if status is DeadlineStatus.MISSED:
        return is_overdue(now)
    if status is DeadlineStatus.ON_TRACK:
        return is_on_track(now)
    if status is DeadlineStatus.COMPLETED_ON_TIME:
        return completed_on_time()
    return completed_late()
