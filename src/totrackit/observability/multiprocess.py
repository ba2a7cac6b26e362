"""Metrics across several worker processes: per-process files, merged at scrape time.

In prometheus_client's multiprocess mode every process writes its samples to memory-mapped
files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape, answered by any worker, merges them. Three
chores fall to whoever manages the workers (web/supervisor.py):

- Wipe the directory at start: files left by an earlier run would be added to this run's
  counters.
- When a worker dies, drop its live gauges and fold its counters and histograms into one
  archive file per type. Counters keep what the dead worker counted (a counter that drops is
  read as a reset), and a scrape reads the same number of files however often workers restart.
- Folding and scraping exclude each other through a file lock: a scrape in the middle of a fold
  would count the dead worker twice, or not at all.

Every gauge therefore uses a ``live*`` mode; other modes would keep one file per dead process.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.mmap_dict import MmapedDict

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Types whose samples add up across processes; live gauges are dropped instead.
FOLDED_TYPES = ("counter", "histogram", "summary")
ARCHIVE = "archive"
_LOCK_FILE = ".scrape.lock"  # not *.db, so the collector never reads it


def active_directory() -> Path | None:
    """The multiprocess directory of this process, when running as one of several workers."""
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(value) if value and Path(value).is_dir() else None


def prepare_directory(directory: Path) -> None:
    """Create the directory, or empty it of an earlier run's files."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def collect(directory: Path) -> bytes:
    """The exposition text of every worker, live and retired."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, str(directory))  # type: ignore[no-untyped-call]
    with _locked(directory, exclusive=False):
        return generate_latest(registry)


def retire_worker(directory: Path, pid: int) -> None:
    """Forget a dead worker's live gauges and fold its counters into the archive files."""
    with _locked(directory, exclusive=True):
        multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
        for kind in FOLDED_TYPES:
            dead = directory / f"{kind}_{pid}.db"
            if dead.exists():
                _fold(dead, into=directory / f"{kind}_{ARCHIVE}.db")
                dead.unlink()


def _fold(source: Path, *, into: Path) -> None:
    archive = MmapedDict(str(into))  # type: ignore[no-untyped-call]
    try:
        for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(source)):  # type: ignore[no-untyped-call]
            current, _ = archive.read_value(key)  # type: ignore[no-untyped-call]
            archive.write_value(key, current + value, timestamp)  # type: ignore[no-untyped-call]
    finally:
        archive.close()  # type: ignore[no-untyped-call]


@contextmanager
def _locked(directory: Path, *, exclusive: bool) -> Iterator[None]:
    descriptor = os.open(directory / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
