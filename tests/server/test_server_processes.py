"""``--workers N``: several worker processes on one port, metrics merged across them.

PostgreSQL only (SQLite takes one writer process, and the settings refuse the combination).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.observability.support import otlp_receiver, write_sample
from tests.support.servers import (
    RunningServer,
    free_port,
    probe_until_pids,
    run_cli,
    running_server,
)

SETTINGS = {"TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "1", "TOTRACKIT_ACCESS_LOG": "false"}
LIVE = "/health/live"


@pytest.fixture
def metrics_dir(tmp_path: Path) -> Path:
    return tmp_path / "metrics"


@pytest.fixture
def two_workers(postgresql_only: str, metrics_dir: Path, tmp_path: Path) -> Iterator[RunningServer]:
    env = {
        **SETTINGS,
        "TOTRACKIT_DATABASE_URL": postgresql_only,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with running_server(data_dir=tmp_path, command="api", env=env, args=["--workers", "2"]) as api:
        yield api


def live_probes_counted(url: str) -> float:
    text = httpx.get(url + "/metrics", headers={"Connection": "close"}, timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "totrackit_http_requests_total" and sample.labels["endpoint"] == LIVE:
                return sample.value
    return 0.0


def counted_once_recorded(url: str, expected: float) -> float:
    """The count, once the last request is recorded: that happens just after its answer."""
    deadline = time.monotonic() + 10
    while (counted := live_probes_counted(url)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return counted


def test_every_scrape_counts_the_requests_of_every_worker(two_workers: RunningServer) -> None:
    before = live_probes_counted(two_workers.url)
    pids, sent = probe_until_pids(two_workers.url, 2)
    counted_once_recorded(two_workers.url, before + sent)

    # Whichever worker answers the scrape, it reports the requests both of them served.
    scrapes = {live_probes_counted(two_workers.url) for _ in range(10)}

    assert len(pids) == 2
    assert scrapes == {before + sent}


def test_a_killed_worker_is_replaced_and_what_it_counted_is_kept(
    two_workers: RunningServer, metrics_dir: Path
) -> None:
    before = live_probes_counted(two_workers.url)
    pids, sent = probe_until_pids(two_workers.url, 2)
    victim = min(pids)
    # Recorded just after its answer: a kill a moment sooner would lose the last one.
    counted_once_recorded(two_workers.url, before + sent)

    os.kill(victim, signal.SIGKILL)
    replacements, sent_after = probe_until_pids(two_workers.url, 1, excluding=frozenset(pids))

    assert len(replacements) == 1
    expected = before + sent + sent_after
    assert counted_once_recorded(two_workers.url, expected) == expected
    files = {path.name for path in metrics_dir.glob("*.db")}
    assert not {name for name in files if name.endswith(f"_{victim}.db")}
    assert {"counter_archive.db", "histogram_archive.db"} <= files
    assert two_workers.process.poll() is None


def test_sigterm_drains_every_worker_and_exits_0(two_workers: RunningServer) -> None:
    pids, _ = probe_until_pids(two_workers.url, 2)

    two_workers.process.send_signal(signal.SIGTERM)

    assert two_workers.process.wait(timeout=30) == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_counts_left_by_an_earlier_run_are_wiped_at_start(
    postgresql_only: str, metrics_dir: Path, tmp_path: Path
) -> None:
    metrics_dir.mkdir()
    write_sample(
        metrics_dir / "counter_99999.db",
        "totrackit_http_requests_total",
        {"method": "GET", "endpoint": LIVE, "status": "200"},
        1000.0,
        family="totrackit_http_requests",
        help_text="HTTP requests served, by method, route template and status.",
    )
    env = {
        **SETTINGS,
        "TOTRACKIT_DATABASE_URL": postgresql_only,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }

    with running_server(data_dir=tmp_path, command="api", env=env, args=["--workers", "2"]) as api:
        counted = live_probes_counted(api.url)

    assert counted < 1000
    assert not (metrics_dir / "counter_99999.db").exists()


def test_serve_runs_the_deadline_engine_in_every_worker(
    postgresql_only: str, tmp_path: Path
) -> None:
    env = {**SETTINGS, "TOTRACKIT_DATABASE_URL": postgresql_only}

    with running_server(data_dir=tmp_path, env=env, args=["--workers", "2"]) as served:
        probe_until_pids(served.url, 2)
        bodies = [
            httpx.get(served.url + "/health", headers={"Connection": "close"}).json()
            for _ in range(6)
        ]

    assert all(body["components"]["worker"]["status"] == "UP" for body in bodies)


def test_several_workers_on_sqlite_are_refused_with_the_way_out(tmp_path: Path) -> None:
    result = run_cli("api", "--workers", "2", env={"TOTRACKIT_DATA_DIR": str(tmp_path)})

    assert result.returncode == 78
    assert "TOTRACKIT_WORKERS='2': several server processes need PostgreSQL" in result.stderr
    assert "set TOTRACKIT_WORKERS=1 or configure PostgreSQL" in result.stderr


def children_of(pid: int, *, excluding: str) -> set[int]:
    """Child processes of ``pid`` (Linux), but those whose command line contains ``excluding``
    (multiprocessing's resource tracker, which leaves on its own once its parent is gone)."""
    found = set()
    for process in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((process / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (process / "cmdline").read_text()
        except OSError:
            continue
        if parent == pid and excluding not in command:
            found.add(int(process.name))
    return found


def test_sigterm_while_workers_start_leaves_none_behind(
    postgresql_only: str, tmp_path: Path
) -> None:
    env = {**os.environ, **SETTINGS, "TOTRACKIT_DATABASE_URL": postgresql_only}
    log = tmp_path / "supervisor.log"
    with log.open("w") as output:
        supervisor = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "totrackit",
                "api",
                "--port",
                str(free_port()),
                "--workers",
                "2",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while "Started server process 1" not in log.read_text():  # both spawned, neither serving yet
        assert time.monotonic() < deadline and supervisor.poll() is None, log.read_text()
        time.sleep(0.01)
    workers = children_of(supervisor.pid, excluding="resource_tracker")

    supervisor.send_signal(signal.SIGTERM)

    assert supervisor.wait(timeout=60) in (0, 1), log.read_text()
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_spans_arrive_from_every_worker(postgresql_only: str, tmp_path: Path) -> None:
    with otlp_receiver() as receiver:
        env = {
            **SETTINGS,
            "TOTRACKIT_ENV": "production",
            "TOTRACKIT_ACCESS_LOG": "true",
            "TOTRACKIT_DATABASE_URL": postgresql_only,
            "TOTRACKIT_TRACING_ENABLED": "true",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
        args = ["--workers", "2"]
        with running_server(data_dir=tmp_path, command="api", env=env, args=args) as api:
            probe_until_pids(api.url, 2)
            answered: dict[int, str] = {}  # worker pid -> trace id of a request it served
            deadline = time.monotonic() + 60
            while len(answered) < 2:
                assert time.monotonic() < deadline, f"only workers {set(answered)} answered"
                run = f"run-{len(answered)}-{time.monotonic_ns()}"
                response = httpx.post(
                    f"{api.url}/processes/traced",
                    json={"id": run},
                    headers={"Connection": "close"},
                )
                assert response.status_code == 201
                # Production logs are JSON lines, the supervisor's included.
                for line in map(json.loads, api.log.read_text().splitlines()):
                    if line.get("path") == "/processes/traced" and "trace_id" in line:
                        answered.setdefault(line["pid"], line["trace_id"])
            receiver.wait_for(
                lambda spans: set(answered.values()) <= {span.trace_id for span in spans},
                timeout=30,
            )


def test_a_hung_worker_is_killed_and_replaced(postgresql_only: str, tmp_path: Path) -> None:
    env = {
        **SETTINGS,
        "TOTRACKIT_DATABASE_URL": postgresql_only,
        "TOTRACKIT_HUNG_WORKER_SECONDS": "2",
    }
    args = ["--workers", "2"]
    with running_server(data_dir=tmp_path, command="api", env=env, args=args) as api:
        pids, _ = probe_until_pids(api.url, 2)
        hung = min(pids)

        os.kill(hung, signal.SIGSTOP)  # alive, but its event loop no longer turns
        replacements, _ = probe_until_pids(api.url, 1, excluding=frozenset(pids))

        assert len(replacements) == 1
        with pytest.raises(ProcessLookupError):
            os.kill(hung, 0)
        assert "has not turned its event loop" in api.log.read_text()
