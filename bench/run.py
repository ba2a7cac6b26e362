"""Benchmarks B0-B2, B3, B5, B6 and B7 at 1M runs, reported as ratios to same-run denominators.

    python -m bench.run                       # throwaway PostgreSQL from pgserver, 1M runs
    python -m bench.run --database-url postgresql://... --runs 1000000 --duration 10

Needs ``wrk`` (Debian package ``wrk``). Both cores are shared by the server, PostgreSQL and the
load generator (regime S in PERFORMANCE.md); absolute numbers drift, the ratios hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import seed as seeder

HERE = Path(__file__).parent
RESULTS = HERE / "results"


# --- infrastructure -------------------------------------------------------------------------


def postgres_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    import pgserver

    data = Path(args.pg_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    return str(pgserver.get_server(data, cleanup_mode=None).get_uri())


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def server(command: list[str], env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run ``command --port N`` until its /health/live answers; yields its URL and pid."""
    port = free_port()
    log = open(RESULTS / f"server-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*command, "--port", str(port)], env={**os.environ, **(env or {})}, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{command} did not start; see {log.name}")
        yield Served(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    script: str | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        command += ["-s", str(HERE / script)]
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", output)
    non_2xx = float(errors.group(1)) if errors else 0.0
    ok_rps = rps
    if total:  # successful requests only: B3 runs past the runs B2 created, and those are 404s
        seconds = float(total.group(2)) / (1000 if total.group(3) == "ms" else 1)
        ok_rps = (float(total.group(1)) - non_2xx) / seconds
    return {
        "rps": rps,
        "ok_rps": ok_rps,
        "non_2xx": non_2xx,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
    }


# --- denominators ---------------------------------------------------------------------------


async def raw_insert_loop(database_url: str, *, duration: float, connections: int = 8) -> float:
    """L_pg_insN: the same rows a create writes (run + 3 tags, one transaction), raw asyncpg."""
    prefix = f"raw-{uuid.uuid4().hex[:8]}"
    stop = time.perf_counter() + duration
    done = 0

    async def worker(index: int) -> None:
        nonlocal done
        conn = await asyncpg.connect(database_url)
        insert = await conn.prepare(
            "INSERT INTO processes (process_id, name, status, started_at, deadline, tags, context,"
            " created_at, updated_at) VALUES ($1, 'raw', 'ACTIVE', now(), now() + interval '1 hour',"
            " $2::jsonb, $3::jsonb, now(), now()) RETURNING id"
        )
        tags = await conn.prepare(
            "INSERT INTO process_tags (process_pk, position, key, value, started_at)"
            " SELECT $1, p, k, v, now() FROM unnest($2::int[], $3::text[], $4::text[]) AS t(p, k, v)"
        )
        counter = 0
        tag_json = json.dumps(
            [
                {"key": "country", "value": "C1"},
                {"key": "channel", "value": "web"},
                {"key": "provider", "value": "p1"},
            ]
        )
        while time.perf_counter() < stop:
            counter += 1
            async with conn.transaction():
                pk = await insert.fetchval(
                    f"{prefix}-{index}-{counter}", tag_json, '{"customerId": "C1"}'
                )
                await tags.fetch(
                    pk, [0, 1, 2], ["country", "channel", "provider"], ["C1", "web", "p1"]
                )
            done += 1
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(connections)))
    return done / (time.perf_counter() - started)


# --- latency probes -------------------------------------------------------------------------


def latencies(url: str, path: str, *, requests: int) -> dict[str, float]:
    samples = []
    failures = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get(path)  # warm-up
        for _ in range(requests):
            started = time.perf_counter()
            failures += client.get(path).status_code != 200
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "max_ms": samples[-1],
        "failures": failures,
    }


LIST_QUERIES = {
    "list first page": "/processes/?limit=50",
    "list name+status": "/processes/?name=process-07&status=ACTIVE&limit=50",
    "list one tag": "/processes/?tags=country:C5&limit=50",
    "list two tags": "/processes/?tags=country:C2,provider:p3&limit=50",
    "list two tags, no match": "/processes/?tags=country:C3,provider:p4&limit=50",
    "list tag+status": "/processes/?tags=country:C1&status=ACTIVE&limit=50",
}
ANALYTICS_QUERIES = {
    "analytics tags 24h": "/analytics/tags?window_hours=24",
    "analytics tags 30d": "/analytics/tags?window_hours=720",
    "analytics summary": "/analytics/summary",
    "analytics names": "/analytics/names",
}


# --- the run --------------------------------------------------------------------------------


async def ensure_data(database_url: str, runs: int) -> None:
    from totrackit.db import migrate
    from totrackit.db.connect import make_db
    from totrackit.settings import Settings

    engine = make_db(Settings(database_url=database_url).database)
    await migrate.upgrade(engine)
    await engine.dispose()
    conn = await asyncpg.connect(database_url)
    present = await conn.fetchval("SELECT count(*) FROM processes WHERE process_id LIKE 'run-%'")
    await conn.execute("DELETE FROM processes WHERE process_id NOT LIKE 'run-%'")
    await conn.close()
    if present != runs:
        print(f"seeding {runs:,} runs (found {present:,})", flush=True)
        started = time.perf_counter()
        await seeder.seed(database_url, runs)
        print(f"seeded in {time.perf_counter() - started:.1f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--pg-dir", default=".tmp/bench-pg")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--probe-requests", type=int, default=300)
    parser.add_argument("--b11-duration", type=float, default=120, help="seconds per B11 rate")
    parser.add_argument("--b11-warmup", type=float, default=15)
    parser.add_argument(
        "--request-path-only",
        action="store_true",
        help="only B1-B4, --workers 2, probes, memory and B11 (bench.request_path)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    RESULTS.mkdir(exist_ok=True)
    url = postgres_url(args)
    asyncio.run(ensure_data(url, args.runs))
    from bench import request_path

    request = request_path.measure(
        url,
        duration=args.duration,
        connections=args.connections,
        b11_duration=args.b11_duration,
        b11_warmup=args.b11_warmup,
    )
    request_lines = [
        f"dataset: {args.runs:,} runs on PostgreSQL; regime S (2 shared cores)",
        *request_path.report_lines(request),
    ]
    print("\n".join(request_lines), flush=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"request-path-{stamp}.json").write_text(json.dumps(request, indent=2))
    (RESULTS / f"request-path-{stamp}.txt").write_text("\n".join(request_lines) + "\n")
    if args.request_path_only:
        return
    results: dict[str, Any] = {"runs": args.runs, "duration_s": args.duration, "regime": "S"}

    uvicorn = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.raw_asgi:app",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with server(uvicorn) as raw_server:
        raw = raw_server.url
        results["L_http"] = wrk(raw + "/health/live", duration=args.duration, connections=64)
    results["L_pg_insN"] = asyncio.run(raw_insert_loop(url, duration=args.duration))

    env = {
        "TOTRACKIT_DATABASE_URL": url,
        "TOTRACKIT_AUTO_MIGRATE": "false",
        "TOTRACKIT_DB_POOL_SIZE": "20",
    }
    with server([sys.executable, "-m", "totrackit", "api"], env) as api_server:
        app = api_server.url
        results["B1 health/live"] = wrk(
            app + "/health/live", duration=args.duration, connections=64
        )
        prefix = {"BENCH_PREFIX": f"b{uuid.uuid4().hex[:8]}"}
        results["B2 create"] = wrk(
            app,
            duration=args.duration,
            connections=args.connections,
            script="create.lua",
            env=prefix,
        )
        results["B3 complete"] = wrk(
            app,
            duration=args.duration,
            connections=args.connections,
            script="complete.lua",
            env=prefix,
        )
        for label, path in {**LIST_QUERIES, **ANALYTICS_QUERIES}.items():
            count = args.probe_requests if label.startswith("list") else 5
            results[label] = latencies(app, path, requests=count)
    report(results)


def report(results: dict[str, Any]) -> None:
    l_http, l_ins = results["L_http"]["rps"], results["L_pg_insN"]
    lines = [
        f"dataset: {results['runs']:,} runs on PostgreSQL; regime S (2 shared cores); wrk {results['duration_s']}s runs",
        f"L_http    raw ASGI JSON (uvicorn, 1 process)      {l_http:>9,.0f} req/s",
        f"L_pg_insN raw asyncpg run+3 tags, 8 connections    {l_ins:>9,.0f} runs/s",
        f"B1 GET /health/live through the app            {results['B1 health/live']['rps']:>9,.0f} req/s  = {results['B1 health/live']['rps'] / l_http:.2f} x L_http",
        f"B2 POST /processes/{{name}}                      {results['B2 create']['rps']:>9,.0f} req/s  = {results['B2 create']['rps'] / l_ins:.2f} x L_pg_insN (p99 {results['B2 create']['p99_ms']:.1f} ms, non-2xx {results['B2 create']['non_2xx']:.0f})",
        f"B3 PUT .../complete (2xx only)                 {results['B3 complete']['ok_rps']:>9,.0f} req/s  (p99 {results['B3 complete']['p99_ms']:.1f} ms, non-2xx {results['B3 complete']['non_2xx']:.0f})",
    ]
    for label in [*LIST_QUERIES, *ANALYTICS_QUERIES]:
        r = results[label]
        lines.append(
            f"{label:<28} p50 {r['p50_ms']:>8.2f} ms   p99 {r['p99_ms']:>8.2f} ms   max {r['max_ms']:>8.2f} ms"
        )
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(results, indent=2))
    (RESULTS / f"bench-{stamp}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
