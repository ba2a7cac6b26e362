"""``totrackit backup --every``: a backup each round, the newest N kept, the last success a gauge."""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from totrackit.cli import schedule


def names() -> object:
    numbers = count()
    return lambda: f"totrackit-backup-2026120{next(numbers)}T000000Z.zip"


def test_each_round_writes_a_backup_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    metrics = schedule.BackupMetrics()

    schedule.run_schedule(
        lambda target: target.write_bytes(b"zip"),
        directory=tmp_path,
        every=0,
        keep=2,
        metrics=metrics,
        name=names(),
        rounds=4,  # type: ignore[arg-type]
    )

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "totrackit-backup-20261202T000000Z.zip",
        "totrackit-backup-20261203T000000Z.zip",
    ]
    exposed = generate_latest(metrics.registry).decode()
    assert "totrackit_backup_last_size_bytes 3.0" in exposed
    assert metrics.last_success._value.get() > 0


def test_a_failed_round_is_counted_and_the_schedule_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics = schedule.BackupMetrics()
    outcomes = iter([OSError("database unreachable"), None])

    def take(target: Path) -> None:
        problem = next(outcomes)
        if problem:
            raise problem
        target.write_bytes(b"zip")

    schedule.run_schedule(
        take,
        directory=tmp_path,
        every=0,
        keep=7,
        metrics=metrics,
        name=names(),
        rounds=2,  # type: ignore[arg-type]
    )

    exposed = generate_latest(metrics.registry).decode()
    assert "totrackit_backup_failures_total 1.0" in exposed
    assert "database unreachable" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["totrackit-backup-20261201T000000Z.zip"]
