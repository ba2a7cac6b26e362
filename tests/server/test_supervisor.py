"""When the supervisor replaces a dead worker: at once, or later while workers cannot start."""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import pytest

from totrackit.server.supervisor import ProcessReport, Supervisor, _Slot


@dataclass
class DeadWorker:
    """What the supervisor reads of a worker process that has exited."""

    exitcode: int
    pid: int = 4242


def restart_delays(tmp_path: Path, deaths: list[tuple[int, bool]]) -> list[float]:
    """The delay chosen after each death in a row of one slot: (exit code, had it served)."""
    owner = Supervisor(
        lambda sockets, report: None,
        sockets=[],
        count=1,
        metrics_directory=tmp_path,
        stop_timeout=1,
    )
    slot, delays = _Slot(0), []
    for exitcode, served in deaths:
        context = multiprocessing.get_context("spawn")
        slot.report = ProcessReport(context.Event(), context.Value("d", 0.0, lock=False))
        if served:
            slot.report.serving()
        owner._retire(slot, DeadWorker(exitcode), now=1000.0)  # type: ignore[arg-type]
        assert slot.restart_at is not None
        delays.append(slot.restart_at - 1000.0)
    return delays


@pytest.mark.parametrize("exitcode", [3, 1, -11, -9])
def test_workers_that_die_before_serving_are_retried_later_each_time(
    tmp_path: Path, exitcode: int
) -> None:
    # A failing start-up (exit 3), an import error (1), a crash (SIGSEGV) or an OOM kill.
    assert restart_delays(tmp_path, [(exitcode, False)] * 7) == [1, 2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize("exitcode", [-9, -15, 1])
def test_a_worker_that_served_is_replaced_at_once(tmp_path: Path, exitcode: int) -> None:
    assert restart_delays(tmp_path, [(exitcode, True)] * 3) == [0, 0, 0]


def test_serving_again_resets_the_delay(tmp_path: Path) -> None:
    deaths = [(3, False), (3, False), (-9, True), (3, False)]

    assert restart_delays(tmp_path, deaths) == [1, 2, 0, 1]
