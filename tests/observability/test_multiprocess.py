"""The metrics directory shared by several workers: merging, retiring dead workers, wiping.

Worker files are written here the way prometheus_client writes them in each worker process.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client import multiprocess as reference
from prometheus_client.parser import text_string_to_metric_families

from tests.observability.support import write_sample
from totrackit.deadlines import metrics as engine_metrics
from totrackit.observability import metrics as service_metrics
from totrackit.observability import multiprocess

REQUESTS = ("demo_requests", "demo_requests_total", "Requests.")
IN_USE = ("demo_in_use", "demo_in_use", "Connections in use.")


def write(directory: Path, filename: str, metric: tuple[str, str, str], value: float) -> None:
    family, sample, help_text = metric
    path = directory / filename
    write_sample(path, sample, {"route": "/x"}, value, family=family, help_text=help_text)


def worker(directory: Path, pid: int, *, requests: float, in_use: float) -> None:
    write(directory, f"counter_{pid}.db", REQUESTS, requests)
    write(directory, f"gauge_livesum_{pid}.db", IN_USE, in_use)


def scraped(directory: Path) -> dict[str, float]:
    text = multiprocess.collect(directory).decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_scrape_adds_up_every_worker(tmp_path: Path) -> None:
    worker(tmp_path, 101, requests=3, in_use=1)
    worker(tmp_path, 102, requests=4, in_use=2)

    assert scraped(tmp_path) == {"demo_requests_total": 7, "demo_in_use": 3}


def test_a_retired_worker_keeps_its_counts_and_drops_its_live_gauges(tmp_path: Path) -> None:
    worker(tmp_path, 101, requests=3, in_use=1)
    worker(tmp_path, 102, requests=4, in_use=2)

    multiprocess.retire_process(tmp_path, 101)

    assert scraped(tmp_path) == {"demo_requests_total": 7, "demo_in_use": 2}
    assert sorted(path.name for path in tmp_path.glob("*.db")) == [
        "counter_102.db",
        "counter_archive.db",
        "gauge_livesum_102.db",
    ]


def test_restarts_fold_into_one_archive_so_scrapes_read_a_constant_number_of_files(
    tmp_path: Path,
) -> None:
    worker(tmp_path, 1, requests=1, in_use=1)
    files_with_one_worker = len(list(tmp_path.glob("*.db")))

    for pid in range(2, 52):  # 50 restarts: each worker counts one request, then dies
        multiprocess.retire_process(tmp_path, pid - 1)
        worker(tmp_path, pid, requests=1, in_use=1)

    assert scraped(tmp_path) == {"demo_requests_total": 51, "demo_in_use": 1}
    assert len(list(tmp_path.glob("*.db"))) == files_with_one_worker + 1  # plus the archive


def test_retiring_a_worker_that_wrote_nothing_is_harmless(tmp_path: Path) -> None:
    worker(tmp_path, 101, requests=3, in_use=1)

    multiprocess.retire_process(tmp_path, 999)

    assert scraped(tmp_path) == {"demo_requests_total": 3, "demo_in_use": 1}


def test_preparing_wipes_an_earlier_runs_files_only(tmp_path: Path) -> None:
    worker(tmp_path, 101, requests=3, in_use=1)
    (tmp_path / "README").write_text("kept")

    multiprocess.prepare_directory(tmp_path)

    assert [path.name for path in tmp_path.iterdir() if not path.name.startswith(".")] == ["README"]
    assert scraped(tmp_path) == {}


def test_preparing_creates_a_missing_directory(tmp_path: Path) -> None:
    multiprocess.prepare_directory(tmp_path / "new" / "metrics")

    assert (tmp_path / "new" / "metrics").is_dir()


def test_a_scrape_waits_for_a_retirement_in_progress(tmp_path: Path) -> None:
    worker(tmp_path, 101, requests=3, in_use=1)
    result: dict[str, float] = {}
    with multiprocess._locked(tmp_path, exclusive=True):
        scrape = threading.Thread(target=lambda: result.update(scraped(tmp_path)))
        scrape.start()
        scrape.join(timeout=0.5)
        assert scrape.is_alive()  # blocked on the lock, not reading half-folded files
    scrape.join(timeout=10)

    assert result == {"demo_requests_total": 3, "demo_in_use": 1}


@pytest.mark.parametrize(
    "gauge",
    [
        value
        for module in (service_metrics, engine_metrics)
        for value in vars(module).values()
        if isinstance(value, Gauge)
    ],
    ids=lambda gauge: gauge._name,
)
def test_every_gauge_forgets_dead_workers(gauge: Gauge) -> None:
    # Other modes keep a file per dead process for ever, and the merged value would include it.
    assert gauge._multiprocess_mode.startswith("live")


WORKER_SCRIPT = """
import sys
from prometheus_client import Counter, Gauge, Histogram, Summary

odd = 'quote " backslash \\\\ newline \\n end'
Counter("demo_calls", "Calls.", ["route"]).labels(odd).inc(float(sys.argv[1]))
Counter("demo_plain", "No labels.").inc()
histogram = Histogram("demo_latency_seconds", "Latency.", ["route"], buckets=(0.1, 1, 10))
for seconds in (0.05, 0.5, 5, 50):
    histogram.labels("/x").observe(seconds * float(sys.argv[1]))
Summary("demo_size_bytes", "Sizes.").observe(100 * float(sys.argv[1]))
for mode in ("all", "liveall", "sum", "livesum", "max", "livemax", "min", "livemin",
             "mostrecent", "livemostrecent"):
    Gauge(f"demo_{mode}", f"Gauge {mode}.", ["kind"], multiprocess_mode=mode).labels(
        "k").set(float(sys.argv[1]))
Gauge("demo_never_set", "Declared, never set.", multiprocess_mode="livemostrecent")
"""


def run_worker(directory: Path, factor: int) -> int:
    """Run a process that records every kind of metric; its pid, which names its files."""
    before = set(directory.glob("counter_*.db"))
    env = {**os.environ, multiprocess.ENVIRONMENT_VARIABLE: str(directory)}
    subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(factor)], env=env, check=True)
    (written,) = set(directory.glob("counter_*.db")) - before
    return int(written.stem.removeprefix("counter_"))


def parsed(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by name and labels; fails on a sample written twice."""
    samples = [
        ((sample.name, tuple(sorted(sample.labels.items()))), sample.value)
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    ]
    found = dict(samples)
    assert len(found) == len(samples), "a sample is written twice"
    return found


def same_samples(ours: bytes, reference: bytes) -> bool:
    """The same series with the same values (sums may differ in the last bit: ours are exact)."""
    mine, theirs = parsed(ours), parsed(reference)
    return mine.keys() == theirs.keys() and all(
        math.isclose(mine[series], theirs[series], rel_tol=1e-12) for series in mine
    )


def prometheus_client_merge(directory: Path) -> bytes:
    registry = CollectorRegistry()
    reference.MultiProcessCollector(registry, str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def test_scrapes_merge_exactly_as_prometheus_client_does(tmp_path: Path) -> None:
    first = run_worker(tmp_path, 1)
    run_worker(tmp_path, 3)

    assert same_samples(multiprocess.collect(tmp_path), prometheus_client_merge(tmp_path))

    multiprocess.retire_process(tmp_path, first)

    assert same_samples(multiprocess.collect(tmp_path), prometheus_client_merge(tmp_path))


def test_folding_a_dead_worker_never_changes_a_sum_not_even_in_the_last_bit(
    tmp_path: Path,
) -> None:
    # Fractional seconds, as in a histogram's _sum: 0.1 + 0.2 + 0.3 rounds differently
    # depending on the order, and a sum one ulp lower reads as a counter reset.
    for pid, seconds in enumerate([0.1, 0.2, 0.3, 0.7, 1e-9, 12345.6789, 0.1, 0.2] * 4, 1):
        write(tmp_path, f"counter_{pid}.db", REQUESTS, seconds)
    before = scraped(tmp_path)["demo_requests_total"]

    for pid in range(1, 33):
        multiprocess.retire_process(tmp_path, pid)
        assert scraped(tmp_path)["demo_requests_total"] == before


def test_a_scrape_sees_series_and_values_added_since_the_last_one(tmp_path: Path) -> None:
    worker(tmp_path, 101, requests=3, in_use=1)
    scraped(tmp_path)

    worker(tmp_path, 101, requests=5, in_use=2)  # the same keys, new values
    write(tmp_path, "counter_101.db", ("demo_errors", "demo_errors_total", "Errors."), 1)

    assert scraped(tmp_path) == {"demo_requests_total": 5, "demo_in_use": 2, "demo_errors_total": 1}


def test_a_new_file_under_an_old_name_is_read_afresh(tmp_path: Path) -> None:
    write(tmp_path, "counter_101.db", REQUESTS, 3)
    scraped(tmp_path)

    # The pid is reused after the directory was emptied: same name, other keys in other places.
    (tmp_path / "counter_101.db").unlink()
    write(tmp_path, "counter_101.db", ("demo_errors", "demo_errors_total", "Errors."), 7)

    assert scraped(tmp_path) == {"demo_errors_total": 7}
