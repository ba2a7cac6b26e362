"""The measurements behind docs/decisions/: each hand-written part against the library it replaces.

    python -m bench.decisions scrape         # our /metrics merge vs MultiProcessCollector
    python -m bench.decisions hung-worker    # does uvicorn --workers replace a blocked worker?
    python -m bench.decisions orm            # SQLAlchemy Core vs the ORM, on SQLite

Two comparisons need a library the project does not depend on; run them from a throwaway
virtual environment, never the project's:

    python3 -m uv export --frozen --no-dev --no-hashes --no-emit-project > /tmp/req.txt
    python3 -m uv venv /tmp/adr-venv
    python3 -m uv pip install --python /tmp/adr-venv/bin/python -r /tmp/req.txt limits structlog
    PYTHONPATH=src /tmp/adr-venv/bin/python -m bench.decisions ratelimit
    PYTHONPATH=src /tmp/adr-venv/bin/python -m bench.decisions logging

Timings are the best of several rounds, in microseconds or milliseconds of one process.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def alternating(rounds: int, repeat: int, *works: Callable[[], object]) -> list[float]:
    """Seconds for one call of each of ``works``, best round's mean, rounds taken in turn so
    that a neighbour's load slows every one of them alike."""
    best = [float("inf")] * len(works)
    for _ in range(rounds):
        for index, work in enumerate(works):
            best[index] = min(best[index], best_of(1, repeat, work))
    return best


def best_of(rounds: int, repeat: int, work: Callable[[], object]) -> float:
    """Seconds for one call of ``work``: the best round's mean."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeat):
            work()
        best = min(best, (time.perf_counter() - started) / repeat)
    return best


# --- scrape: observability/multiprocess.py vs prometheus_client's MultiProcessCollector --------


def _write_worker_files(directory: str, names: int) -> int:
    """One worker's metrics files: 100 process names and a few routes, as a busy worker has."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from totrackit.observability import metrics
    from totrackit.observability.http_metrics import HttpMetrics
    from totrackit.observability.metrics import PrometheusProcessMetrics
    from totrackit.processes.models import ProcessRun
    from totrackit.processes.rules import Status, deadline_status

    http = HttpMetrics()
    recorder = PrometheusProcessMetrics()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(names):
        name = f"process-{n:03d}"
        deadline = start + timedelta(seconds=60)
        run = ProcessRun(0, "run", name, Status.ACTIVE, start, None, deadline, [], {})
        recorder.started(run)
        for status, late in ((Status.COMPLETED, 0), (Status.COMPLETED, 1), (Status.FAILED, 0)):
            done = start + timedelta(seconds=30 + 60 * late)
            finished = replace(run, status=status, completed_at=done)
            recorder.finished(
                finished,
                deadline_status(status, deadline=deadline, completed_at=done, now=done),
            )
    for route in ("/processes/{name}", "/processes/{name}/{process_id}", "/processes"):
        for status in (200, 201, 400, 404, 409):
            http.record("GET", route, status, 0.003)
    metrics.DB_CONNECTIONS_ACTIVE.set(1)
    return os.getpid()


def scrape(args: argparse.Namespace) -> None:
    print(f"{args.names} process names per worker; best of 5 rounds of 20 scrapes")
    for dead in args.dead:
        with tempfile.TemporaryDirectory() as raw:
            print(_scrape_case(Path(raw), dead=dead, names=args.names))


def _scrape_case(directory: Path, *, dead: int, names: int) -> str:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector
    from prometheus_client.parser import text_string_to_metric_families

    from totrackit.observability import multiprocess

    def samples(text: str) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
        return {
            (s.name, tuple(sorted(s.labels.items())), round(s.value, 6))
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    context = multiprocessing.get_context("spawn")
    with context.Pool(2, maxtasksperchild=1) as pool:
        tasks = [(str(directory), names)] * (dead + 2)
        pids = pool.starmap(_write_worker_files, tasks, chunksize=1)
    before = len(list(directory.glob("*.db")))
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    theirs_unfolded = best_of(5, 20, lambda: generate_latest(registry))
    for pid in pids[:dead]:  # what the supervisor does when a worker dies
        multiprocess.retire_worker(directory, pid)
    after = len(list(directory.glob("*.db")))
    theirs, ours = alternating(
        5, 20, lambda: generate_latest(registry), lambda: multiprocess.collect(directory)
    )
    same = samples(generate_latest(registry).decode()) == samples(
        multiprocess.collect(directory).decode()
    )
    return (
        f"  2 live + {dead:3d} dead workers: MultiProcessCollector {theirs_unfolded * 1e3:6.1f} ms"
        f" over {before} files without folding; folded into the archive ({after} files):"
        f" MultiProcessCollector {theirs * 1e3:5.1f} ms, ours {ours * 1e3:5.1f} ms"
        f" ({theirs / ours:.1f}x); same samples: {same}"
    )


# --- ratelimit: ratelimit/stores.py GCRA vs the limits library, in memory ------------------------


def ratelimit(args: argparse.Namespace) -> None:
    import limits
    from limits.storage import MemoryStorage
    from limits.strategies import (
        FixedWindowRateLimiter,
        MovingWindowRateLimiter,
        SlidingWindowCounterRateLimiter,
    )

    from totrackit.ratelimit.rule import Rate, parse_rate
    from totrackit.ratelimit.stores import MemoryStore

    keys = [f"addr:10.0.{n // 250}.{n % 250}" for n in range(args.keys)]
    rule = "1000000/minute"  # never refuses: the cost of the common, allowed case
    print(f"limits {limits.__version__}; one check, {args.keys} clients in turn, best of 5")
    ours = MemoryStore(parse_rate(rule))
    cycle = iter(keys * 10_000)
    cost = best_of(5, 100_000, lambda: ours.hit(next(cycle)))
    print(f"  GCRA MemoryStore.hit                      {cost * 1e6:5.2f} us")
    item = limits.parse(rule)
    for strategy in (
        FixedWindowRateLimiter,
        SlidingWindowCounterRateLimiter,
        MovingWindowRateLimiter,
    ):
        limiter = strategy(MemoryStorage())
        turns = iter(keys * 10_000)
        cost = best_of(5, 100_000, lambda lim=limiter, it=turns: lim.hit(item, next(it)))
        print(f"  limits {strategy.__name__:33s} {cost * 1e6:5.2f} us")
    # What one client gets through around a window's end: a first request opens the window,
    # 150 come just before it closes and 150 just after (100 per 10 s, to keep it short).
    fixed = FixedWindowRateLimiter(MemoryStorage())
    item = limits.parse("100/10 seconds")
    gcra = MemoryStore(Rate(limit=100, period_us=10_000_000))
    accepted = [0, 0]
    for pause in (0.0, 9.5, 0.6):
        time.sleep(pause)
        count = 1 if pause == 0.0 else 150
        accepted[0] += sum(fixed.hit(item, "edge") for _ in range(count))
        accepted[1] += sum(gcra.hit("edge").allowed for _ in range(count))
    print(
        f"  100 per 10 s, 1 request then 150 at 9.5 s and 150 at 10.1 s: accepted by"
        f" limits' fixed window {accepted[0]}, by GCRA {accepted[1]}"
    )


# --- logging: observability/logs.py vs structlog ------------------------------------------------


def logging_cost(args: argparse.Namespace) -> None:
    import logging

    import orjson
    import structlog

    from bench.logging import line_cost

    fields = {
        "method": "POST",
        "route": "/processes/{name}",
        "path": "/processes/billing",
        "status": 201,
        "duration_ms": 1.23,
        "client": "127.0.0.1",
        "request_id": "0" * 32,
    }
    lines = args.lines
    print(f"structlog {structlog.__version__}; one access line to /dev/null, best of 5 x {lines}")
    ours = line_cost(lines)
    print(f"  stdlib logging + our JSON formatter, context and redaction   {ours:5.1f} us")

    with open(os.devnull, "wb") as sink:
        structlog.configure(
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(serializer=orjson.dumps),
            ],
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
            logger_factory=structlog.BytesLoggerFactory(sink),
            cache_logger_on_first_use=True,
        )
        log = structlog.get_logger("totrackit.access")
        native = best_of(5, lines, lambda: log.info("POST /processes/billing 201", **fields))
    print(f"  structlog native: orjson, bytes logger (no redaction)       {native * 1e6:5.1f} us")

    # What the service would need: uvicorn's, SQLAlchemy's and httpx's records are stdlib
    # records, so structlog would render them (and ours) through ProcessorFormatter.
    with open(os.devnull, "w") as sink:
        handler = logging.StreamHandler(sink)
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.JSONRenderer(
                        serializer=lambda o, **_: orjson.dumps(o).decode()
                    ),
                ],
                foreign_pre_chain=[
                    structlog.stdlib.add_log_level,
                    structlog.stdlib.ExtraAdder(),
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                ],
            )
        )
        root = logging.getLogger("bench.structlog")
        root.handlers[:] = [handler]
        root.propagate = False
        root.setLevel(logging.INFO)
        foreign = best_of(5, lines, lambda: root.info("POST /processes/billing 201", extra=fields))
    print(f"  structlog ProcessorFormatter on a stdlib record              {foreign * 1e6:5.1f} us")


# --- hung-worker: uvicorn's own supervisor and a worker whose event loop is blocked -------------

BLOCKING_APP = """
import os, time

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/block":
        time.sleep(3600)  # the event loop stops turning; the process stays alive
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})
"""


def hung_worker(args: argparse.Namespace) -> None:
    import httpx

    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "blocking.py").write_text(BLOCKING_APP)
        port = 18_765
        command = [
            sys.executable, "-m", "uvicorn", "blocking:app", "--port", str(port),
            "--workers", "2", "--timeout-worker-healthcheck", "5", "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(command, cwd=directory, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            pids = _wait_for_pids(url, 2)
            print(f"uvicorn --workers 2 serving from pids {sorted(pids)}")
            with contextlib.suppress(httpx.TimeoutException):
                httpx.get(f"{url}/block", timeout=1)
            time.sleep(args.wait)
            alive = _children(server.pid)
            answering = _wait_for_pids(url, 1, timeout=3)
            print(
                f"after {args.wait:.0f} s with one worker's event loop blocked: worker processes"
                f" {sorted(alive)}, answering {sorted(answering)};"
                f" blocked worker replaced: {not pids <= alive}"
            )
        finally:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _wait_for_pids(url: str, count: int, timeout: float = 20) -> set[int]:
    import httpx

    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        try:
            seen.add(int(httpx.get(url, headers={"Connection": "close"}, timeout=0.5).text))
        except (httpx.HTTPError, ValueError):
            time.sleep(0.1)
    return seen


def _children(pid: int) -> set[int]:
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(line) for line in listed.split()}


# --- orm: SQLAlchemy Core (what the repositories use) vs the ORM, on SQLite ---------------------


def orm(args: argparse.Namespace) -> None:
    import sqlalchemy
    from sqlalchemy import JSON, BigInteger, Column, Integer, MetaData, String, Table, insert
    from sqlalchemy import select as core_select
    from sqlalchemy.orm import DeclarativeBase, Session

    metadata = MetaData()
    runs = Table(
        "runs", metadata,
        Column("pk", Integer, primary_key=True), Column("name", String(100)),
        Column("id", String(50)), Column("status", String(10)),
        Column("started_at", BigInteger), Column("tags", JSON),
    )  # fmt: skip

    class Base(DeclarativeBase):
        pass

    class Run(Base):
        __table__ = runs

    rows = args.rows
    print(f"SQLAlchemy {sqlalchemy.__version__}, SQLite in memory, {rows} rows, best of 5")

    def fresh() -> sqlalchemy.Engine:
        engine = sqlalchemy.create_engine("sqlite://")
        metadata.create_all(engine)
        return engine

    def values(n: int) -> dict[str, Any]:
        return {"name": "billing", "id": f"run-{n}", "status": "ACTIVE", "started_at": n,
                "tags": [{"key": "country", "value": "DE"}]}  # fmt: skip

    def core_insert() -> None:
        with fresh().begin() as conn:
            for n in range(rows):
                conn.execute(insert(runs).values(**values(n)))

    def orm_insert() -> None:
        with Session(fresh()) as session, session.begin():
            for n in range(rows):
                session.add(Run(**values(n)))
                session.flush()  # one statement per request, as a handler would

    engine = fresh()
    with engine.begin() as conn:
        conn.execute(insert(runs), [values(n) for n in range(rows)])

    def core_read() -> None:
        with engine.connect() as conn:
            conn.execute(core_select(runs).limit(50)).mappings().all()

    def orm_read() -> None:
        with Session(engine) as session:
            session.scalars(sqlalchemy.select(Run).limit(50)).all()

    core_w, orm_w = best_of(5, 1, core_insert) / rows, best_of(5, 1, orm_insert) / rows
    core_r, orm_r = best_of(5, 200, core_read), best_of(5, 200, orm_read)
    print(f"  insert one row per statement: Core {core_w * 1e6:5.1f} us, ORM {orm_w * 1e6:5.1f} us"
          f" ({orm_w / core_w:.2f}x)")  # fmt: skip
    print(f"  read a page of 50 rows:       Core {core_r * 1e6:5.0f} us, ORM {orm_r * 1e6:5.0f} us"
          f" ({orm_r / core_r:.2f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("scrape")
    command.add_argument("--names", type=int, default=100)
    command.add_argument("--dead", type=int, nargs="+", default=[0, 10, 50])
    command.set_defaults(run=scrape)
    command = commands.add_parser("ratelimit")
    command.add_argument("--keys", type=int, default=1000)
    command.set_defaults(run=ratelimit)
    command = commands.add_parser("logging")
    command.add_argument("--lines", type=int, default=50_000)
    command.set_defaults(run=logging_cost)
    command = commands.add_parser("hung-worker")
    command.add_argument("--wait", type=float, default=20.0)
    command.set_defaults(run=hung_worker)
    command = commands.add_parser("orm")
    command.add_argument("--rows", type=int, default=2000)
    command.set_defaults(run=orm)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
