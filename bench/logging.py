"""Cost of the access log, as same-run ratios (access line on / off) through a real server.

    python -m bench.logging                    # 5 s wrk runs, 3 rounds, alternating order
    python -m bench.logging --duration 10 --rounds 5

Each configuration runs as a real ``totrackit api`` process in production mode (JSON lines),
on SQLite in a fresh directory, its output going to a file under bench/results:

    off   TOTRACKIT_ACCESS_LOG=false: the request-id middleware still runs, no line is written
    on    TOTRACKIT_ACCESS_LOG=true:  one JSON access line per request

Three workloads, at TOTRACKIT_LOG_LEVEL=INFO:

    GET /health/live           a probe: logged only at DEBUG, so "on" writes nothing either
    GET /bench/not-found       a 404 through the whole stack, the cheapest request that is
                               logged: the worst case for the share of the line
    POST /processes/{name}     a real write (bench/create.lua) plus one line each

Besides requests/s it reads the server's own CPU time per request (from /proc).
On a machine shared with other work both drift with the neighbours' load, so two steadier
figures come first:

- one access line in-process (record, context, redaction, JSON, write to /dev/null), the figure
  PERFORMANCE.md section 2.4 compares logging libraries by;
- CPU time per request of the app driven in-process (no HTTP server), two apps side by side,
  access log on and off, in alternating batches: whatever slows the machine down slows both.

Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.inprocess import cpu_per_request
from bench.run import RESULTS, cpu_seconds, server, wrk

COMMON = {
    "TOTRACKIT_ENV": "production",
    "TOTRACKIT_LOG_LEVEL": "INFO",
    "TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0",
}
# label: (path, wrk script, connections)
WORKLOADS = {
    "GET /health/live (probe: no line)": ("/health/live", None, 64),
    "GET /bench/not-found, 404 (a line each)": ("/bench/not-found", None, 64),
    "POST /processes/{name} (a line each)": ("/", "create.lua", 16),
}


def line_cost(lines: int = 50_000) -> float:
    """Microseconds for one access line through the whole pipeline, best of 5."""
    from totrackit.observability.access import ACCESS_LOGGER
    from totrackit.observability.context import bind_request_id
    from totrackit.observability.logs import configure_logging
    from totrackit.settings import Settings

    with open(os.devnull, "w") as sink:
        configure_logging(Settings(env="production", api_key="bench-api-key-value"), stream=sink)
        bind_request_id(uuid.uuid4().hex)
        fields = {
            "method": "POST",
            "route": "/processes/{name}",
            "path": "/processes/billing",
            "status": 201,
            "duration_ms": 1.23,
            "client": "127.0.0.1",
        }
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(lines):
                ACCESS_LOGGER.handle(
                    ACCESS_LOGGER.makeRecord(
                        ACCESS_LOGGER.name,
                        20,
                        "",
                        0,
                        "POST /processes/billing 201",
                        (),
                        None,
                        fields,
                    )
                )
            best = min(best, (time.perf_counter() - started) / lines * 1e6)
    _log_to_stderr()
    return best


# label: (method, path); the same requests as the wrk workloads that write a line.
IN_PROCESS = {
    "GET /bench/not-found, 404 (a line each)": ("GET", "/bench/not-found"),
    "POST /processes/{name} (a line each)": ("POST", "/processes/billing"),
}


def in_process_cost(batches: int, size: int) -> dict[str, tuple[float, float]]:
    """(CPU us per request off, on) for each workload, the app driven without a server."""
    from totrackit.observability.logs import configure_logging
    from totrackit.settings import Settings

    with tempfile.TemporaryDirectory() as data, open(Path(data) / "out.log", "w") as output:
        configure_logging(Settings(env="production"), stream=output)
        try:
            sides = {side: {"access_log": side} for side in (False, True)}
            return cpu_per_request(sides, IN_PROCESS, batches=batches, size=size)
        finally:
            _log_to_stderr()


def _log_to_stderr() -> None:
    """Back to standard error once a measurement's file is closed, so later errors are seen."""
    from totrackit.observability.logs import configure_logging
    from totrackit.settings import Settings

    configure_logging(Settings(env="production"))


def measure(access_log: bool, *, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """(requests/s, server CPU us per request) of every workload, one server for all."""
    env = {**COMMON, "TOTRACKIT_ACCESS_LOG": str(access_log).lower()}
    results = {}
    with tempfile.TemporaryDirectory() as data:
        env["TOTRACKIT_DATA_DIR"] = data
        command = [sys.executable, "-m", "totrackit", "api", "--host", "127.0.0.1"]
        with server(command, env) as served:
            url = served.url
            for label, (path, script, connections) in WORKLOADS.items():
                prefix = {"BENCH_PREFIX": uuid.uuid4().hex[:8]}
                wrk(url + path, duration=1, connections=connections, script=script, env=prefix)
                prefix = {"BENCH_PREFIX": uuid.uuid4().hex[:8]}
                cpu_before = cpu_seconds(served.pid)
                result = wrk(
                    url + path,
                    duration=args.duration,
                    connections=connections,
                    script=script,
                    env=prefix,
                )
                if result["non_2xx"] and "404" not in label:
                    sys.exit(f"{label}: {result['non_2xx']:.0f} non-2xx answers")
                answered = result["rps"] * args.duration
                cpu_us = (cpu_seconds(served.pid) - cpu_before) / answered * 1e6
                results[label] = (result["rps"], cpu_us)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=21, help="in-process A/B batches")
    parser.add_argument("--batch-size", type=int, default=200, help="requests per batch")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    RESULTS.mkdir(exist_ok=True)
    per_line = line_cost()
    in_process = in_process_cost(args.batches, args.batch_size)
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {
        label: {"off": [], "on": []} for label in WORKLOADS
    }
    for round_number in range(args.rounds):
        # Alternate the order, so drift on a shared machine does not favour one side.
        order = [False, True] if round_number % 2 == 0 else [True, False]
        for access_log in order:
            for label, figures in measure(access_log, args=args).items():
                runs[label]["on" if access_log else "off"].append(figures)
    report(per_line, in_process, runs, args)


def report(
    per_line: float,
    in_process: dict[str, tuple[float, float]],
    runs: dict[str, dict[str, list[tuple[float, float]]]],
    args: argparse.Namespace,
) -> None:
    lines = [
        f"one access line in-process (JSON, redaction, write to /dev/null): {per_line:.1f} us",
        f"app driven in-process, CPU per request, median of {args.batches - 1} alternating "
        f"batches of {args.batch_size}:",
    ]
    for label, (cpu_off, cpu_on) in in_process.items():
        lines.append(
            f"  {label:<42} off {cpu_off:6.0f} us   on {cpu_on:6.0f} us   "
            f"cost {1 - cpu_off / cpu_on:6.1%}"
        )
    lines += [
        f"wrk -t1, {args.duration} s per run, median of {args.rounds} rounds, "
        "server output to a file, 2 shared cores",
        f"{'workload':<42}{'req/s off':>10}{'on':>8}{'on/off':>8}"
        f"{'CPU us/req off':>16}{'on':>7}{'CPU cost':>10}",
    ]
    summary: dict[str, Any] = {
        "line_us": per_line,
        "in_process_cpu_us": in_process,
        "duration_s": args.duration,
        "rounds": args.rounds,
    }
    for label, sides in runs.items():
        off = statistics.median(rps for rps, _ in sides["off"])
        on = statistics.median(rps for rps, _ in sides["on"])
        cpu_off = statistics.median(cpu for _, cpu in sides["off"])
        cpu_on = statistics.median(cpu for _, cpu in sides["on"])
        # CPU-bound, throughput scales with 1 / CPU per request: the share logging takes.
        cost = 1 - cpu_off / cpu_on
        lines.append(
            f"{label:<42}{off:>10,.0f}{on:>8,.0f}{on / off:>8.3f}"
            f"{cpu_off:>16.0f}{cpu_on:>7.0f}{cost:>10.1%}"
        )
        summary[label] = {**sides, "rps_ratio": on / off, "cpu_cost": cost}
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"logging-{stamp}.json").write_text(json.dumps(summary, indent=2))
    (RESULTS / f"logging-{stamp}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
