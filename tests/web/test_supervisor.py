"""When the supervisor replaces a dead worker: at once, or later while workers cannot start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from totrackit.web.supervisor import Supervisor, _Slot


@dataclass
class DeadWorker:
    """What the supervisor reads of a worker process that has exited."""

    exitcode: int
    pid: int = 4242


def supervisor(tmp_path: Path) -> Supervisor:
    return Supervisor(
        lambda sockets: None, sockets=[], workers=1, metrics_directory=tmp_path, stop_timeout=1
    )


def restart_delays(tmp_path: Path, exits: list[tuple[int, float]]) -> list[float]:
    """The delay chosen after each (exit code, seconds lived) in a row, for one slot."""
    owner, slot, delays = supervisor(tmp_path), _Slot(0), []
    for exitcode, lived in exits:
        slot.started_at = 1000.0
        owner._retire(slot, DeadWorker(exitcode), now=1000.0 + lived)  # type: ignore[arg-type]
        assert slot.restart_at is not None
        delays.append(slot.restart_at - (1000.0 + lived))
    return delays


def test_a_worker_that_cannot_start_is_retried_later_each_time(tmp_path: Path) -> None:
    assert restart_delays(tmp_path, [(3, 1.0)] * 7) == [1, 2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize("signal_exit", [-9, -15])
def test_a_killed_worker_is_replaced_at_once(tmp_path: Path, signal_exit: int) -> None:
    assert restart_delays(tmp_path, [(signal_exit, 1.0)] * 5) == [0] * 5


def test_a_crash_after_a_healthy_run_is_replaced_at_once_and_resets_the_delay(
    tmp_path: Path,
) -> None:
    assert restart_delays(tmp_path, [(3, 1.0), (3, 1.0), (1, 3600.0), (3, 1.0)]) == [1, 2, 0, 1]
