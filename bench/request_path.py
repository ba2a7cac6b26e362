"""The request path beside its denominators: B1-B4, --workers 2, probe CPU, memory and B11.

Called by ``bench.run`` (``make bench``); alone:

    python -m bench.request_path --database-url postgresql://... [--duration 10] [--b11-duration 120]

Every figure is printed beside its same-run denominator and its PERFORMANCE.md target, and
with the machine's load average, because these 2-core machines are shared:

    L_pg_upd8  raw asyncpg, 8 connections: the UPDATE a complete runs, by (name, id), on our schema
    L_sqlite   stdlib sqlite3, WAL + synchronous=NORMAL, a run and its 3 tag rows per commit
    B3         complete vs L_pg_upd8                          target >= 0.6x
    B4         create and complete on SQLite vs min(B1, L_sqlite)   target >= 0.5x, no "locked"
    workers-2  B1 and B2 with --workers 2 vs 1, shared regime  target >= 1.7x
    probes     server CPU per /health/live and /health/ready  target ready <= 0.5 ms
    RSS        idle API process, and its peak during B2        targets 80 MB / 150 MB
    B11        open-loop mix (45% create, 45% complete, 8% list, 2% analytics) at 25/50/75/90%
               of B2's saturation rate: p50/p99/p99.9; capacity = highest rate with p99 <= 25 ms
               and no errors, target >= 0.5x B2
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import openloop
from bench.run import RESULTS, Served, cpu_seconds, raw_insert_loop, server, wrk

B11_FRACTIONS = (0.25, 0.50, 0.75, 0.90)
B11_SLO_MS = 25.0
API = [sys.executable, "-m", "totrackit", "api"]


def load() -> str:
    """The 1, 5 and 15 minute load averages, as printed beside each figure."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def tree_cpu(pid: int) -> float:
    return cpu_seconds(pid) + sum(cpu_seconds(child) for child in children(pid))


# --- denominators ---------------------------------------------------------------------------


async def raw_update_loop(database_url: str, *, duration: float, connections: int = 8) -> float:
    """L_pg_upd8: the UPDATE ... RETURNING a complete runs, by (name, id), raw asyncpg."""
    prefix = f"upd-{uuid.uuid4().hex[:8]}"
    rows = 40_000
    setup = await asyncpg.connect(database_url)
    await setup.execute(
        "INSERT INTO processes (process_id, name, status, started_at, created_at, updated_at)"
        " SELECT $1 || '-' || n, 'raw-update', 'ACTIVE', now(), now(), now()"
        " FROM generate_series(1, $2) AS n",
        prefix,
        rows,
    )
    # Fresh statistics, as a long-running table has them: without, the planner may scan.
    await setup.execute("ANALYZE processes")
    await setup.close()
    numbers = itertools.count(1)
    stop = time.perf_counter() + duration
    done = 0

    async def worker() -> None:
        nonlocal done
        conn = await asyncpg.connect(database_url)
        update = await conn.prepare(
            "UPDATE processes SET status = 'COMPLETED', completed_at = now(), updated_at = now()"
            " WHERE name = 'raw-update' AND process_id = $1 AND status = 'ACTIVE' RETURNING *"
        )
        while time.perf_counter() < stop:
            number = next(numbers)
            if number > rows:
                break
            await update.fetchrow(f"{prefix}-{number}")
            done += 1
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return done / (time.perf_counter() - started)


def sqlite_insert_loop(*, duration: float) -> float:
    """L_sqlite: a run and its 3 tag rows per commit, stdlib sqlite3, WAL + NORMAL, our schema."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "l_sqlite.db"
        subprocess.run(
            [*API[:3], "migrate", "upgrade"],
            env={**os.environ, "TOTRACKIT_DATABASE_URL": f"sqlite:///{path}"},
            check=True,
            capture_output=True,
        )
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        tags = json.dumps([{"key": "country", "value": "C1"}, {"key": "channel", "value": "web"}])
        now = int(time.time() * 1e6)
        done = 0
        started = time.perf_counter()
        while time.perf_counter() - started < duration:
            done += 1
            conn.execute("BEGIN")
            pk = conn.execute(
                "INSERT INTO processes (process_id, name, status, started_at, deadline, tags,"
                " context, created_at, updated_at) VALUES (?, 'raw', 'ACTIVE', ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (f"r-{done}", now, now + 3_600_000_000, tags, '{"a": 1}', now, now),
            ).fetchone()[0]
            conn.executemany(
                "INSERT INTO process_tags (process_pk, position, key, value, started_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (pk, 0, "country", "C1", now),
                    (pk, 1, "channel", "web", now),
                    (pk, 2, "p", "1", now),
                ],
            )
            conn.execute("COMMIT")
        rate = done / (time.perf_counter() - started)
        conn.close()
        return rate


# --- the app --------------------------------------------------------------------------------


def probe_cpu(served: Served, path: str, *, duration: int) -> dict[str, float]:
    """Server CPU per request of ``path`` under wrk (all server processes together)."""
    before = tree_cpu(served.pid)
    measured = wrk(served.url + path, duration=duration, connections=16)
    requests = measured["rps"] * duration
    return {**measured, "cpu_us": (tree_cpu(served.pid) - before) / requests * 1e6}


def create_and_complete(served: Served, *, duration: int, connections: int) -> dict[str, Any]:
    """B2 then B3 against one server: wrk on create.lua, then on complete.lua for those runs."""
    prefix = {"BENCH_PREFIX": f"b{uuid.uuid4().hex[:8]}"}
    cpu = tree_cpu(served.pid)
    create = wrk(
        served.url, duration=duration, connections=connections, script="create.lua", env=prefix
    )
    create["cpu_us"] = (tree_cpu(served.pid) - cpu) / (create["rps"] * duration) * 1e6
    create["peak_rss_mb"] = max(rss_mb(pid, "VmHWM") for pid in [served.pid, *children(served.pid)])
    cpu = tree_cpu(served.pid)
    complete = wrk(
        served.url, duration=duration, connections=connections, script="complete.lua", env=prefix
    )
    complete["cpu_us"] = (tree_cpu(served.pid) - cpu) / (complete["rps"] * duration) * 1e6
    return {"create": create, "complete": complete}


def idle_rss(served: Served) -> float:
    with httpx.Client(base_url=served.url) as client:
        for path in ("/health/live", "/health/ready", "/processes/?limit=5"):
            client.get(path)
    time.sleep(1)
    return rss_mb(served.pid)


def b11_mix(
    prefix: str,
) -> tuple[dict[str, tuple[float, openloop.RequestFactory]], Callable[..., None]]:
    """The B11 mix; completes finish runs this mix created (answered 201), oldest first."""
    numbers = itertools.count(1)
    created: deque[str] = deque()
    lists = itertools.cycle(
        [
            "/processes/?limit=50",
            "/processes/?name=process-07&status=ACTIVE&limit=50",
            "/processes/?tags=country:C5&limit=50",
        ]
    )
    analytics = itertools.cycle(
        ["/analytics/summary", "/analytics/names", "/analytics/tags?window_hours=24"]
    )

    def create() -> openloop.Request:
        run = f"{prefix}-{next(numbers)}"
        body = {
            "id": run,
            "deadline": int(time.time()) + 3600,
            "tags": [
                {"key": "country", "value": "C1"},
                {"key": "channel", "value": "web"},
                {"key": "provider", "value": "p1"},
            ],
            "context": {"customerId": run, "attempt": 1, "source": "bench"},
        }
        return "POST", "/processes/b11", json.dumps(body).encode()

    def complete() -> openloop.Request | None:
        if not created:
            return None
        return "PUT", f"/processes/b11/{created.popleft()}/complete", b'{"status":"COMPLETED"}'

    def answered(kind: str, request: openloop.Request, status: int, body: bytes) -> None:
        if kind == "create" and status == 201:
            created.append(json.loads(request[2])["id"])

    mix: dict[str, tuple[float, openloop.RequestFactory]] = {
        "create": (45, create),
        "complete": (45, complete),
        "list": (8, lambda: ("GET", next(lists), b"")),
        "analytics": (2, lambda: ("GET", next(analytics), b"")),
    }
    return mix, answered


def b11(served: Served, *, capacity: float, duration: float, warmup: float) -> list[dict[str, Any]]:
    host, port = served.url.removeprefix("http://").split(":")
    runs = []
    for fraction in B11_FRACTIONS:
        rate = max(1.0, capacity * fraction)
        mix, answered = b11_mix(f"b11-{uuid.uuid4().hex[:8]}")
        cpu, wall = tree_cpu(served.pid), time.perf_counter()
        result = asyncio.run(
            openloop.run(
                host,
                int(port),
                mix,
                rate=rate,
                duration=duration,
                warmup=warmup,
                on_answer=answered,
            )
        )
        server_cpu = (tree_cpu(served.pid) - cpu) / (time.perf_counter() - wall)
        runs.append(
            {
                "fraction": fraction,
                "offered_rps": rate,
                "achieved_rps": result.achieved_rps,
                "server_cpu": server_cpu,
                "generator_cpu": result.generator_cpu,
                "rss_mb": rss_mb(served.pid),
                "rows": openloop.describe(result, list(mix)),
                "load": load(),
            }
        )
        print(f"  B11 {fraction:.0%}: {format_b11(runs[-1])}", flush=True)
    return runs


def format_b11(run: dict[str, Any]) -> str:
    overall = run["rows"][0]
    return (
        f"offered {run['offered_rps']:,.0f}/s achieved {run['achieved_rps']:,.0f}/s"
        f"  p50 {overall.get('p50', float('nan')):.1f} p99 {overall.get('p99', float('nan')):.1f}"
        f" p99.9 {overall.get('p99.9', float('nan')):.1f} max {overall.get('max', float('nan')):.1f} ms"
        f"  errors {overall['errors']}  server CPU {run['server_cpu']:.0%}"
        f"  generator CPU {run['generator_cpu']:.0%}  RSS {run['rss_mb']:.0f} MB  load {run['load']}"
    )


def b11_capacity(runs: list[dict[str, Any]]) -> float:
    """The highest offered rate that held: p99 within the SLO, no errors, >= 99% achieved."""
    held = [
        run["offered_rps"]
        for run in runs
        if run["rows"][0].get("p99", float("inf")) <= B11_SLO_MS
        and run["rows"][0]["errors"] == 0
        and run["achieved_rps"] >= 0.99 * run["offered_rps"]
    ]
    return max(held, default=0.0)


# --- the run --------------------------------------------------------------------------------


def measure(
    database_url: str,
    *,
    duration: int,
    connections: int,
    b11_duration: float,
    b11_warmup: float,
    skip_b11: bool = False,
) -> dict[str, Any]:
    results: dict[str, Any] = {"load_start": load()}
    pg_env = {
        "TOTRACKIT_DATABASE_URL": database_url,
        "TOTRACKIT_AUTO_MIGRATE": "false",
        "TOTRACKIT_DB_POOL_SIZE": "20",
    }
    print("denominators", flush=True)
    raw = [sys.executable, "-m", "uvicorn", "bench.raw_asgi:app", "--no-access-log"]
    with server([*raw, "--log-level", "warning"]) as raw_server:
        results["L_http"] = wrk(raw_server.url + "/health/live", duration=duration, connections=64)
    results["L_pg_insN"] = asyncio.run(raw_insert_loop(database_url, duration=duration))
    results["L_pg_upd8"] = asyncio.run(raw_update_loop(database_url, duration=duration))
    results["L_sqlite"] = sqlite_insert_loop(duration=duration)
    results["load_denominators"] = load()

    print("one server process on PostgreSQL", flush=True)
    with server(API, pg_env) as api:
        results["rss_idle_mb"] = idle_rss(api)
        results["B1"] = probe_cpu(api, "/health/live", duration=duration)
        results["ready"] = probe_cpu(api, "/health/ready", duration=duration)
        results.update(create_and_complete(api, duration=duration, connections=connections))
        results["load_one"] = load()
        if not skip_b11:
            capacity = results["create"]["rps"]
            results["B11"] = b11(api, capacity=capacity, duration=b11_duration, warmup=b11_warmup)

    print("two server processes on PostgreSQL", flush=True)
    with server([*API, "--workers", "2"], pg_env) as api2:
        results["B1_w2"] = wrk(api2.url + "/health/live", duration=duration, connections=64)
        prefix = {"BENCH_PREFIX": f"w{uuid.uuid4().hex[:8]}"}
        results["B2_w2"] = wrk(
            api2.url, duration=duration, connections=connections, script="create.lua", env=prefix
        )
    results["load_two"] = load()

    print("SQLite (B4)", flush=True)
    with tempfile.TemporaryDirectory() as data:
        sqlite_env = {"TOTRACKIT_DATA_DIR": data}
        with server(API, sqlite_env) as lite:
            results["B1_sqlite"] = wrk(lite.url + "/health/live", duration=duration, connections=64)
            b4 = create_and_complete(lite, duration=duration, connections=connections)
            results["B4_create"], results["B4_complete"] = b4["create"], b4["complete"]
            log = (RESULTS / f"server-{lite.url.rsplit(':', 1)[1]}.log").read_text()
        results["B4_locked"] = log.count("database is locked")
    results["load_end"] = load()
    return results


def report_lines(r: dict[str, Any]) -> list[str]:
    """The figures, each beside its denominator and target."""
    l_http, l_ins, l_upd, l_sqlite = (
        r["L_http"]["rps"],
        r["L_pg_insN"],
        r["L_pg_upd8"],
        r["L_sqlite"],
    )
    b1, b2, b3 = r["B1"]["rps"], r["create"]["rps"], r["complete"]["ok_rps"]
    b4_create, b4_complete = r["B4_create"]["rps"], r["B4_complete"]["ok_rps"]
    b4_limit = min(r["B1_sqlite"]["rps"], l_sqlite)
    lines = [
        f"machine load (1/5/15 min): start {r['load_start']}, after denominators {r['load_denominators']},"
        f" after one process {r['load_one']}, after two {r['load_two']}, end {r['load_end']}",
        f"L_http     raw ASGI JSON, uvicorn, 1 process          {l_http:>9,.0f} req/s",
        f"L_pg_insN  raw asyncpg run + 3 tags, 8 connections     {l_ins:>9,.0f} runs/s",
        f"L_pg_upd8  raw asyncpg complete UPDATE, 8 connections  {l_upd:>9,.0f} updates/s",
        f"L_sqlite   sqlite3 WAL NORMAL, run + 3 tags per commit {l_sqlite:>9,.0f} runs/s",
        f"B1 GET /health/live        {b1:>8,.0f} req/s = {b1 / l_http:.2f} x L_http (target >= 0.60);"
        f" server CPU {r['B1']['cpu_us']:.0f} us/request",
        f"B2 POST /processes/{{name}}  {b2:>8,.0f} req/s = {b2 / l_ins:.2f} x L_pg_insN (target >= 0.60);"
        f" p99 {r['create']['p99_ms']:.1f} ms (closed loop); server CPU {r['create']['cpu_us']:.0f} us/request;"
        f" non-2xx {r['create']['non_2xx']:.0f}",
        f"B3 PUT .../complete        {b3:>8,.0f} req/s = {b3 / l_upd:.2f} x L_pg_upd8 (target >= 0.60);"
        f" p99 {r['complete']['p99_ms']:.1f} ms; server CPU {r['complete']['cpu_us']:.0f} us/request",
        f"B4 SQLite create           {b4_create:>8,.0f} req/s = {b4_create / b4_limit:.2f} x min(B1 on SQLite"
        f" {r['B1_sqlite']['rps']:,.0f}, L_sqlite) (target >= 0.50); non-2xx {r['B4_create']['non_2xx']:.0f}",
        f"B4 SQLite complete         {b4_complete:>8,.0f} req/s = {b4_complete / b4_limit:.2f} x the same"
        f" (target >= 0.50); 'database is locked' in the server log: {r['B4_locked']} (target 0)",
        f"probes: /health/ready server CPU {r['ready']['cpu_us']:.0f} us/request (target <= 500),"
        f" /health/live {r['B1']['cpu_us']:.0f} us: ready/live {r['ready']['cpu_us'] / r['B1']['cpu_us']:.2f}",
        f"RSS: idle API process {r['rss_idle_mb']:.0f} MB (target <= 80); peak during B2"
        f" {r['create']['peak_rss_mb']:.0f} MB (target <= 150)",
        f"--workers 2: B1 {r['B1_w2']['rps']:,.0f} req/s = {r['B1_w2']['rps'] / b1:.2f} x 1 process;"
        f" B2 {r['B2_w2']['rps']:,.0f} req/s = {r['B2_w2']['rps'] / b2:.2f} x 1 process (target >= 1.70)",
    ]
    if "B11" in r:
        capacity = b11_capacity(r["B11"])
        lines.append(
            f"B11 mixed open loop, rates from B2's {b2:,.0f} req/s; SLO p99 <= {B11_SLO_MS:.0f} ms:"
        )
        for run in r["B11"]:
            lines.append(f"  {run['fraction']:>4.0%} {format_b11(run)}")
            for row in run["rows"][1:]:
                if row["count"]:
                    lines.append(
                        f"         {row['kind']:<10} n={row['count']:<6} p50 {row['p50']:.1f}"
                        f" p99 {row['p99']:.1f} p99.9 {row['p99.9']:.1f} ms errors {row['errors']}"
                    )
        lines.append(
            f"B11 capacity {capacity:,.0f} req/s = {capacity / b2:.2f} x B2 (target >= 0.50;"
            " p99.9 <= 100 ms at 75%)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--b11-duration", type=float, default=120)
    parser.add_argument("--b11-warmup", type=float, default=15)
    parser.add_argument("--skip-b11", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    results = measure(
        args.database_url,
        duration=args.duration,
        connections=args.connections,
        b11_duration=args.b11_duration,
        b11_warmup=args.b11_warmup,
        skip_b11=args.skip_b11,
    )
    text = "\n".join(report_lines(results))
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"request-path-{stamp}.json").write_text(json.dumps(results, indent=2))
    (RESULTS / f"request-path-{stamp}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
