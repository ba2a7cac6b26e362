"""B9: what Prometheus metrics cost, with several workers and after many worker restarts.

    python -m bench.metrics                      # throwaway PostgreSQL from pgserver
    python -m bench.metrics --database-url postgresql://... --restarts 50 --duration 5

Scrape: ``totrackit serve --workers 2`` on PostgreSQL with 100 process names, each with series
in the process and deadline families (created, completed on time, completed late, failed,
deadline missed, deadline warning, overdue, duration histogram), plus the HTTP histograms of
every route used. /metrics is timed (20 scrapes on fresh connections) before any restart and
after every 10 ``kill -9`` of a worker, up to 50; the metrics directory's file count is shown
beside it. Target: <= 10 ms and flat across restarts.

Instrumentation: CPU per request with TOTRACKIT_METRICS_ENABLED true and false, the app driven
in-process in alternating batches (steady on a shared machine), and requests/s of a real
``totrackit api`` both ways (wrk, alternating rounds). Target: <= 5% of B1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.inprocess import cpu_per_request
from bench.run import RESULTS, postgres_url, server, wrk

NAMES = 100
ENGINE = {
    "TOTRACKIT_NOTIFICATION_SCAN_INTERVAL": "200ms",
    "TOTRACKIT_DEADLINE_GAUGE_INTERVAL": "1s",
    "TOTRACKIT_WARNING_THRESHOLD": "0.5",
    "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0",
    "TOTRACKIT_ACCESS_LOG": "false",
}
# label: (method, path), all through the metrics middleware
WORKLOADS = {
    "GET /health/live (B1)": ("GET", "/health/live"),
    "GET /bench/not-found, 404": ("GET", "/bench/not-found"),
    "POST /processes/{name}": ("POST", "/processes/billing"),
}


def seed_series(url: str) -> None:
    """Five runs for each of 100 names, ending in every way the metrics distinguish.

    Deadlines cannot be in the past, so the late and overdue runs get a few seconds.
    """
    names = [f"/processes/bench-metrics-{index:03d}" for index in range(NAMES)]
    prefix = uuid.uuid4().hex[:8]  # the database may hold an earlier run's ACTIVE runs
    with httpx.Client(base_url=url, timeout=30) as client:
        for runs in names:
            now = int(time.time())
            for run, deadline in (
                ("on-time", now + 3600),
                ("late", now + 3),
                ("failed", now + 3600),
                ("overdue", now + 3),
                ("warned", now + 8),
            ):
                body = {"id": f"{prefix}-{run}", "deadline": deadline}
                client.post(runs, json=body).raise_for_status()
        time.sleep(max(0.0, now + 5 - time.time()))  # past the short deadlines
        for runs in names:
            client.put(f"{runs}/{prefix}-on-time/complete").raise_for_status()
            client.put(f"{runs}/{prefix}-late/complete").raise_for_status()
            failed = {"status": "FAILED"}
            client.put(f"{runs}/{prefix}-failed/complete", json=failed).raise_for_status()


# One client for the whole benchmark: creating one costs more than a scrape. Each request still
# opens a new connection (Connection: close), so either worker may answer it.
CLIENT = httpx.Client(timeout=30, headers={"Connection": "close"})


def scrape_ms(url: str, scrapes: int = 20) -> dict[str, float]:
    """Client-side median and max of /metrics, and the server's own mean time per scrape."""
    for _ in range(4):  # steady state: each worker has parsed the keys once
        CLIENT.get(url + "/metrics").raise_for_status()
    before = _scrape_seconds(url)
    times, size = [], 0
    for _ in range(scrapes):
        started = time.perf_counter()
        response = CLIENT.get(url + "/metrics")
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.content)
    after = _scrape_seconds(url)
    server_ms = (after[0] - before[0]) / (after[1] - before[1]) * 1000
    return {
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "server_ms": server_ms,
        "bytes": size,
    }


def _scrape_seconds(url: str) -> tuple[float, float]:
    """(sum, count) of the server's own duration histogram for GET /metrics, all workers."""
    found = {"sum": 0.0, "count": 0.0}
    for family in text_string_to_metric_families(CLIENT.get(url + "/metrics").text):
        for sample in family.samples:
            if sample.labels.get("endpoint") == "/metrics" and sample.name.startswith(
                "totrackit_http_request_duration_seconds_"
            ):
                kind = sample.name.rsplit("_", 1)[1]
                if kind in found:
                    found[kind] += sample.value
    return found["sum"], found["count"]


def worker_pids(url: str, count: int, excluding: frozenset[int] = frozenset()) -> set[int]:
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while len(seen - excluding) < count:
        if time.monotonic() > deadline:
            sys.exit(f"only workers {seen} answered")
        try:
            response = CLIENT.get(url + "/health/live")
            seen.add(response.json()["application"]["details"]["pid"])
        except httpx.TransportError:
            time.sleep(0.05)
    return seen - excluding


def measure_scrapes(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="totrackit-bench-metrics-") as directory:
        env = {
            **ENGINE,
            "TOTRACKIT_DATABASE_URL": postgres_url(args),
            "PROMETHEUS_MULTIPROC_DIR": directory,
        }
        command = [sys.executable, "-m", "totrackit", "serve", "--workers", "2"]
        with server(command, env) as served:
            pids = worker_pids(served.url, 2)
            seed_series(served.url)
            time.sleep(3)  # the engine marks the rest; the gauges refresh
            for restarts in range(args.restarts + 1):
                if restarts:
                    victim = min(pids)
                    os.kill(victim, signal.SIGKILL)
                    pids = (pids - {victim}) | worker_pids(served.url, 1, frozenset(pids))
                if restarts % 10 == 0:
                    row = {"restarts": restarts, **scrape_ms(served.url)}
                    row["files"] = len(list(Path(directory).glob("*.db")))
                    rows.append(row)
                    print(_scrape_line(row), flush=True)
    return rows


def measure_throughput(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """requests/s of a real ``totrackit api`` (SQLite) with metrics off and on."""
    runs: dict[str, dict[str, list[float]]] = {label: {"off": [], "on": []} for label in WORKLOADS}
    for round_number in range(args.rounds):
        order = [False, True] if round_number % 2 == 0 else [True, False]
        for enabled in order:
            env = {**ENGINE, "TOTRACKIT_ENV": "production"}
            env["TOTRACKIT_METRICS_ENABLED"] = str(enabled).lower()
            with tempfile.TemporaryDirectory() as data:
                env["TOTRACKIT_DATA_DIR"] = data
                command = [sys.executable, "-m", "totrackit", "api", "--host", "127.0.0.1"]
                with server(command, env) as served:
                    for label, (method, path) in WORKLOADS.items():
                        script = "create.lua" if method == "POST" else None
                        target = served.url + ("/" if script else path)
                        prefix = {"BENCH_PREFIX": uuid.uuid4().hex[:8]}
                        connections = 16 if script else 64
                        wrk(target, duration=1, connections=connections, script=script, env=prefix)
                        prefix = {"BENCH_PREFIX": uuid.uuid4().hex[:8]}
                        result = wrk(
                            target,
                            duration=args.duration,
                            connections=connections,
                            script=script,
                            env=prefix,
                        )
                        runs[label]["on" if enabled else "off"].append(result["rps"])
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--pg-dir", default=".tmp/bench-pg")
    parser.add_argument("--restarts", type=int, default=50)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=21, help="in-process A/B batches")
    parser.add_argument("--batch-size", type=int, default=200, help="requests per batch")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)

    scrapes = measure_scrapes(args)
    sides = {side: {"metrics_enabled": side, "access_log": False} for side in (False, True)}
    in_process = cpu_per_request(sides, WORKLOADS, batches=args.batches, size=args.batch_size)
    throughput = measure_throughput(args)
    report(scrapes, in_process, throughput, args)


def _scrape_line(row: dict[str, Any]) -> str:
    return (
        f"after {row['restarts']:>2} restarts: server {row['server_ms']:5.1f} ms per scrape; "
        f"client median {row['median_ms']:5.1f} ms, max {row['max_ms']:5.1f} ms; "
        f"{row['bytes']:,} bytes, {row['files']:.0f} files"
    )


def report(
    scrapes: list[dict[str, Any]],
    in_process: dict[str, tuple[float, float]],
    throughput: dict[str, dict[str, list[float]]],
    args: argparse.Namespace,
) -> None:
    lines = [f"B9 scrape, serve --workers 2, {NAMES} process names, PostgreSQL:"]
    lines.extend(f"  {_scrape_line(row)}" for row in scrapes)
    lines.append(
        f"instrumentation, app in-process, CPU per request, median of {args.batches - 1} "
        f"alternating batches of {args.batch_size} (metrics off / on):"
    )
    for label, (off, on) in in_process.items():
        lines.append(
            f"  {label:<30} off {off:6.0f} us   on {on:6.0f} us   cost {1 - off / on:6.1%}"
        )
    lines.append(f"requests/s of totrackit api, wrk {args.duration} s, median of {args.rounds}:")
    for label, sides in throughput.items():
        off, on = statistics.median(sides["off"]), statistics.median(sides["on"])
        lines.append(f"  {label:<30} off {off:8,.0f}   on {on:8,.0f}   on/off {on / off:.3f}")
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    summary = {"scrapes": scrapes, "in_process_cpu_us": in_process, "throughput": throughput}
    (RESULTS / f"metrics-{stamp}.json").write_text(json.dumps(summary, indent=2))
    (RESULTS / f"metrics-{stamp}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
