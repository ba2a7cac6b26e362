"""The deadline rule exists once in Python and once in SQL, and both give the same answers.

Every combination of status, deadline and completion time is written as a row, then the SQL
expressions of ``processes.rules`` are evaluated by the database and compared with the Python
rule, at and around the boundaries (completion exactly at the deadline, ``now`` exactly at it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db.tables import processes
from totrackit.processes import rules
from totrackit.processes.rules import DeadlineStatus, Status

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DEADLINES = [None, NOW - SECOND, NOW, NOW + SECOND]
# (status, completed_at relative to the deadline, or None while ACTIVE)
FINISHES = [None, -SECOND, timedelta(0), SECOND]

ROWS = [
    (
        status,
        deadline,
        None if status is Status.ACTIVE else (deadline or NOW) + (finish or 0 * SECOND),
    )
    for status in Status
    for deadline in DEADLINES
    for finish in (FINISHES if status is not Status.ACTIVE else [None])
]


@pytest.mark.parametrize(
    ("status", "deadline", "completed_at", "expected"),
    [
        (Status.ACTIVE, None, None, None),
        (Status.ACTIVE, NOW + SECOND, None, DeadlineStatus.ON_TRACK),
        (Status.ACTIVE, NOW, None, DeadlineStatus.ON_TRACK),  # at the deadline: still on track
        (Status.ACTIVE, NOW - SECOND, None, DeadlineStatus.MISSED),
        (Status.COMPLETED, NOW, NOW, DeadlineStatus.COMPLETED_ON_TIME),  # at it: on time
        (Status.COMPLETED, NOW, NOW + SECOND, DeadlineStatus.COMPLETED_LATE),
        (Status.COMPLETED, None, NOW, None),
        (Status.FAILED, NOW, NOW + SECOND, None),
    ],
)
def test_the_python_rule(
    status: Status,
    deadline: datetime | None,
    completed_at: datetime | None,
    expected: DeadlineStatus | None,
) -> None:
    assert (
        rules.deadline_status(status, deadline=deadline, completed_at=completed_at, now=NOW)
        == expected
    )


async def test_sql_and_python_agree_on_every_row_boundaries_included(db: AsyncEngine) -> None:
    p = processes
    async with db.begin() as conn:
        for number, (status, deadline, completed_at) in enumerate(ROWS):
            await conn.execute(
                insert(p).values(
                    name="rules",
                    process_id=f"run-{number}",
                    status=status.value,
                    started_at=NOW - timedelta(hours=1),
                    completed_at=completed_at,
                    deadline=deadline,
                    tags=[],
                    context={},
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        expressions = {status: rules.has_deadline_status(status, NOW) for status in DeadlineStatus}
        statement = select(
            p.c.process_id, *[expression.label(s.value) for s, expression in expressions.items()]
        )
        found = {row["process_id"]: row for row in (await conn.execute(statement)).mappings()}

    for number, (status, deadline, completed_at) in enumerate(ROWS):
        expected = rules.deadline_status(
            status, deadline=deadline, completed_at=completed_at, now=NOW
        )
        row = found[f"run-{number}"]
        in_sql = {s for s in DeadlineStatus if row[s.value]}
        assert in_sql == ({expected} if expected else set()), (status, deadline, completed_at)


async def test_overdue_is_the_sql_form_of_missed(db: AsyncEngine) -> None:
    assert str(rules.is_overdue(NOW).compile()) == str(
        rules.has_deadline_status(DeadlineStatus.MISSED, NOW).compile()
    )
