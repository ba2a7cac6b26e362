"""Metrics across several server processes: per-process files, merged at scrape time.

In prometheus_client's multiprocess mode every process writes its samples to memory-mapped
files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape, answered by any server process, merges them. Three
chores fall to whoever manages the workers (server/supervisor.py):

- Wipe the directory at start: files left by an earlier run would be added to this run's
  counters.
- When a server process dies, drop its live gauges and fold its counters and histograms into one
  archive file per type. Counters keep what the dead worker counted (a counter that drops is
  read as a reset), and a scrape reads the same number of files however often server processes restart.
- Folding and scraping exclude each other through a file lock: a scrape in the middle of a fold
  would count the dead server process twice, or not at all.

Every gauge therefore uses a ``live*`` mode; other modes would keep one file per dead process.

Scrapes merge the files here rather than through prometheus_client's MultiProcessCollector,
with the same rules, because a scrape repeats the same keys every time: each key is parsed and
its sample line prefix formatted once per process, which makes a scrape several times cheaper.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import struct
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.utils import floatToGoString

_number: Callable[[float], str] = floatToGoString  # Go's formatting, as Prometheus expects

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Types whose samples add up across processes; live gauges are dropped instead.
FOLDED_TYPES = ("counter", "histogram", "summary")
ARCHIVE = "archive"
_LOCK_FILE = ".scrape.lock"  # not *.db, so the collector never reads it


def active_directory() -> Path | None:
    """The multiprocess directory of this process, when running as one of several server processes."""
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(value) if value and Path(value).is_dir() else None


def prepare_directory(directory: Path) -> None:
    """Create the directory, or empty it of an earlier run's files."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def collect(directory: Path) -> bytes:
    """The exposition text of every server process, live and retired."""
    with _locked(directory, exclusive=False):
        families = _merge(sorted(directory.glob("*.db")))
    return _exposition(families)


def retire_process(directory: Path, pid: int) -> None:
    """Forget a dead server process's live gauges and fold its counters into the archive files."""
    with _locked(directory, exclusive=True):
        multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
        for kind in FOLDED_TYPES:
            dead = directory / f"{kind}_{pid}.db"
            if dead.exists():
                _fold(dead, into=directory / f"{kind}_{ARCHIVE}.db")
                dead.unlink()


def _fold(source: Path, *, into: Path) -> None:
    """Add a dead server process's values to the archive's, keeping the sums exact.

    ``archive + dead`` rounds differently from the scrape's sum a moment earlier, and a sum one
    ulp lower reads as a counter reset (a histogram's ``_sum`` of fractional seconds). So the
    rounding error is kept in the slot counters leave unused (their timestamp), and scrapes add
    every part with ``math.fsum``: the total is the same before and after the fold.
    """
    archive = MmapedDict(str(into))  # type: ignore[no-untyped-call]
    try:
        for key, value, _, _ in MmapedDict.read_all_values_from_file(str(source)):  # type: ignore[no-untyped-call]
            current, error = archive.read_value(key)  # type: ignore[no-untyped-call]
            total = current + value
            error += _rounding_error(current, value, total)
            archive.write_value(key, total, error)  # type: ignore[no-untyped-call]
    finally:
        archive.close()  # type: ignore[no-untyped-call]


def _rounding_error(a: float, b: float, total: float) -> float:
    """Exactly (a + b) - total, where total is the rounded a + b (Knuth's TwoSum)."""
    b_part = total - a
    return (a - (total - b_part)) + (b - b_part)


@contextmanager
def _locked(directory: Path, *, exclusive: bool) -> Iterator[None]:
    descriptor = os.open(directory / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


# --- merging at scrape time --------------------------------------------------------------------

_INTEGER = struct.Struct("i")
_TWO_DOUBLES = struct.Struct("dd")
_HEADER_BYTES = 8


@dataclass(slots=True, frozen=True)
class _Key:
    """One sample key of the files, parsed once: where its value goes and how it is written."""

    family: str
    help: str
    line_prefix: str  # 'name{label="value"} '
    # Histogram buckets: the bucket bound, and the labels without it (the series they build).
    bucket: float | None = None
    series_labels: str = ""


@dataclass(slots=True)
class _Family:
    name: str
    kind: str
    mode: str
    help: str
    values: dict[str, float] = field(default_factory=dict)
    timestamps: dict[str, float] = field(default_factory=dict)
    # Counters and the _sum/_count of histograms and summaries: every addend, summed exactly.
    parts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    buckets: dict[str, dict[float, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )


# Bounded like the series themselves: label values are route templates and capped process names.
_keys: dict[bytes, _Key] = {}


@dataclass(slots=True)
class _Layout:
    """Where the samples of one file are. Files only ever append keys, so what was parsed stays
    valid: a scrape parses only keys added since the last one, then reads the values. Each key's
    bytes are compared where they were found, which catches a new file under an old name (a
    reused pid, a reused inode)."""

    parsed_up_to: int = _HEADER_BYTES
    # key, its raw bytes, where they start, where its value is
    samples: list[tuple[_Key, bytes, int, int]] = field(default_factory=list)


_layouts: dict[Path, _Layout] = {}


def _merge(files: list[Path]) -> dict[str, _Family]:
    """prometheus_client's merge rules: sums, except gauges, which follow their mode."""
    for gone in _layouts.keys() - set(files):
        del _layouts[gone]
    families: dict[str, _Family] = {}
    for path in files:
        kind, _, rest = path.stem.partition("_")
        mode, _, pid = rest.rpartition("_") if kind == "gauge" else ("", "", rest)
        archived = pid == ARCHIVE
        try:
            samples = _samples(path)
        except FileNotFoundError:  # a live gauge of a server process retired since the listing
            continue
        for key, value, timestamp in samples:
            family = families.get(key.family)
            if family is None:
                family = families[key.family] = _Family(key.family, kind, mode, key.help)
            if key.bucket is not None:
                family.buckets[key.series_labels][key.bucket] += value
            elif kind == "gauge":
                _combine_gauge(family, key.line_prefix, value, timestamp, pid)
            else:
                parts = family.parts[key.line_prefix]
                parts.append(value)
                if archived:
                    parts.append(timestamp)  # the archive's rounding error (see _fold)
    return families


def _samples(path: Path) -> list[tuple[_Key, float, float]]:
    with path.open("rb") as source:
        header = source.read(_HEADER_BYTES)
        used = _INTEGER.unpack_from(header)[0] if len(header) == _HEADER_BYTES else 0
        data = header + source.read(max(0, used - _HEADER_BYTES))
    layout = _layouts.get(path)
    if layout is None or layout.parsed_up_to > used or not _still_valid(layout, data):
        layout = _layouts[path] = _Layout()
    position = layout.parsed_up_to
    while position < used:
        length = _INTEGER.unpack_from(data, position)[0]
        raw_key = data[position + 4 : position + 4 + length]
        key_at = position + 4
        position += 4 + length + (8 - (length + 4) % 8)  # keys are padded to 8 bytes
        key = _keys.get(raw_key) or _parse(raw_key)
        layout.samples.append((key, raw_key, key_at, position))
        position += 16
    layout.parsed_up_to = position
    unpack = _TWO_DOUBLES.unpack_from
    return [(key, *unpack(data, value_at)) for key, _, _, value_at in layout.samples]


def _still_valid(layout: _Layout, data: bytes) -> bool:
    return all(data.startswith(raw_key, key_at) for _, raw_key, key_at, _ in layout.samples)


def _parse(raw_key: bytes) -> _Key:
    family, sample, labels, help_text = json.loads(raw_key)
    bucket = labels.pop("le", None) if sample.endswith("_bucket") else None
    series_labels = ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items())
    key = _Key(
        family=family,
        help=help_text,
        line_prefix=f"{sample}{{{series_labels}}} " if series_labels else f"{sample} ",
        bucket=float(bucket) if bucket is not None else None,
        series_labels=series_labels,
    )
    _keys[raw_key] = key
    return key


def _combine_gauge(family: _Family, prefix: str, value: float, timestamp: float, pid: str) -> None:
    mode = family.mode.removeprefix("live")
    known = family.values.get(prefix)
    if mode == "sum":
        family.values[prefix] = (known or 0.0) + value
    elif mode == "max":
        family.values[prefix] = value if known is None else max(known, value)
    elif mode == "min":
        family.values[prefix] = value if known is None else min(known, value)
    elif mode == "mostrecent":
        # Never set (timestamp 0): no sample, as prometheus_client does.
        if timestamp > family.timestamps.get(prefix, 0.0):
            family.values[prefix], family.timestamps[prefix] = value, timestamp
    else:  # "all": one series per process
        name, _, labels = prefix.rstrip(" }").partition("{")
        family.values[f'{name}{{{labels + "," if labels else ""}pid="{pid}"}} '] = value


def _exposition(families: dict[str, _Family]) -> bytes:
    lines: list[str] = []
    for family in families.values():
        exposed = f"{family.name}_total" if family.kind == "counter" else family.name
        help_text = family.help.replace("\\", r"\\").replace("\n", r"\n")
        lines.append(f"# HELP {exposed} {help_text}\n# TYPE {exposed} {family.kind}\n")
        lines.extend(f"{prefix}{_number(value)}\n" for prefix, value in family.values.items())
        lines.extend(
            f"{prefix}{_number(math.fsum(parts))}\n" for prefix, parts in family.parts.items()
        )
        for labels, bounds in family.buckets.items():
            separator = "," if labels else ""
            total = 0.0
            for bound in sorted(bounds):
                total += bounds[bound]
                le = _number(bound)
                lines.append(
                    f'{family.name}_bucket{{{labels}{separator}le="{le}"}} {_number(total)}\n'
                )
            count_labels = f"{{{labels}}}" if labels else ""
            lines.append(f"{family.name}_count{count_labels} {_number(total)}\n")
    return "".join(lines).encode()


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
