"""The watchdog's rule, on a fake clock: exit when the loop is silent or progress fails for
longer than the limit, and only then (the real processes are stalled in tests/reliability)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from totrackit.deadlines.heartbeat import EngineHeartbeat
from totrackit.server.watchdog import Watchdog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_turning_loop_with_progress_is_left_alone() -> None:
    clock = Clock()
    watchdog = Watchdog(2.0, lambda: None, monotonic=clock)
    for _ in range(100):
        clock.now += 1.0
        watchdog.beat()
        assert watchdog.check() is None


def test_a_loop_silent_past_the_limit_is_a_reason_to_exit() -> None:
    clock = Clock()
    watchdog = Watchdog(2.0, monotonic=clock)
    clock.now += 2.0
    assert watchdog.check() is None  # at the limit, not past it
    clock.now += 0.5
    assert watchdog.check() == "its event loop has not turned for 2.5s"


def test_progress_must_fail_for_the_whole_limit() -> None:
    clock = Clock()
    problem: list[str | None] = ["the scan is stuck"]
    watchdog = Watchdog(2.0, lambda: problem[0], monotonic=clock)

    assert watchdog.check() is None  # failing since now
    clock.now += 1.5
    watchdog.beat()
    assert watchdog.check() is None
    problem[0] = None  # it recovered: the count starts again
    assert watchdog.check() is None
    problem[0] = "the scan is stuck"
    clock.now += 0.1
    watchdog.beat()
    assert watchdog.check() is None
    clock.now += 2.5
    watchdog.beat()
    assert watchdog.check() == "the scan is stuck (for 2.5s)"


def test_the_thread_exits_the_process_with_70() -> None:
    exits: list[int] = []
    watchdog = Watchdog(0.2, lambda: "stuck", exit_process=exits.append)
    watchdog.start()
    try:
        for _ in range(100):
            if exits:
                break
            watchdog.beat()
            time.sleep(0.05)
    finally:
        watchdog.stop()
    assert exits == [70]


def engine(started: datetime) -> EngineHeartbeat:
    return EngineHeartbeat(
        scan_interval=timedelta(seconds=5),
        delivery_allowance=timedelta(seconds=10),
        started_at=started,
    )


def test_a_scan_that_fails_still_turns_the_engine_but_one_that_hangs_does_not() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    heartbeat = engine(start)
    for second in range(0, 60, 5):  # every scan fails (database down): cycles, no scans
        heartbeat.scan_cycled(start + timedelta(seconds=second))
        heartbeat.delivery_cycled(start + timedelta(seconds=second))
    assert heartbeat.is_stalled(start + timedelta(seconds=60))  # liveness reports it
    assert heartbeat.stall_reason(start + timedelta(seconds=60)) is None  # no reason to restart

    hung = start + timedelta(seconds=55 + 16)  # no cycle for more than three intervals
    assert heartbeat.stall_reason(hung) == (
        "the deadline scan has not finished a cycle since 2026-01-01T00:00:55Z"
    )
