"""CPU time per request of the hot paths, through the whole app in this process (no HTTP server).

    python -m bench.cpu --database-url postgresql://...      # create, complete, get, probes
    python -m bench.cpu --database-url sqlite:///path.db --requests 2000 --json out.json

Requests/s on a machine shared with other work drift with the neighbours' load; the CPU time
this process spends per request does not wait for the machine, so it is the steadier figure for
comparing code (run two versions alternately and compare medians). Requests go one at a time
through the ASGI app with the production settings (access log, metrics, security headers, body
limit), so what is measured is the app's own work plus the driver's, not uvicorn's HTTP parsing
(``L_http`` covers that). Each workload runs ``--rounds`` batches; the first batch warms up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bench.inprocess import call

WORKLOADS = ("live", "ready", "create", "get", "complete")


async def measure(
    database_url: str, *, requests: int, rounds: int, workloads: tuple[str, ...] = WORKLOADS
) -> dict[str, float]:
    """Median CPU microseconds per request of each workload."""
    from totrackit.app import create_app
    from totrackit.db import migrate
    from totrackit.db.connect import make_db
    from totrackit.settings import Settings

    settings = Settings(env="production", database_url=database_url, auto_migrate=False)
    db = make_db(settings.database)
    await migrate.upgrade(db)
    await db.dispose()
    app = create_app(settings)
    prefix = f"cpu-{uuid.uuid4().hex[:8]}"
    started: list[str] = []
    async with app.router.lifespan_context(app):

        async def create(number: int) -> None:
            run = f"{prefix}-{number}"
            await call(app, "POST", "/processes/bench-cpu", body=_create_body(run), expect=201)
            started.append(run)

        async def get(number: int) -> None:
            run = started[number % len(started)]
            await call(app, "GET", f"/processes/bench-cpu/{run}", expect=200)

        async def complete(number: int) -> None:
            run = started.pop()
            body = b'{"status":"COMPLETED"}'
            await call(app, "PUT", f"/processes/bench-cpu/{run}/complete", body=body, expect=200)

        steps: dict[str, Callable[[int], Awaitable[None]]] = {
            "live": lambda _: call(app, "GET", "/health/live", expect=200),
            "ready": lambda _: call(app, "GET", "/health/ready", expect=200),
            "create": create,
            "get": get,
            "complete": complete,
        }
        samples: dict[str, list[float]] = {name: [] for name in workloads}
        number = 0
        for batch in range(rounds + 1):
            for name in workloads:
                cpu = time.process_time()
                for _ in range(requests):
                    number += 1
                    await steps[name](number)
                if batch:  # the first batch warms caches and pools up
                    samples[name].append((time.process_time() - cpu) / requests * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def _create_body(run: str) -> bytes:
    document: dict[str, Any] = {
        "id": run,
        "deadline": int(time.time()) + 3600,
        "tags": [
            {"key": "country", "value": "C1"},
            {"key": "channel", "value": "web"},
            {"key": "provider", "value": "p1"},
        ],
        "context": {"customerId": "C00000001", "attempt": 1, "source": "bench"},
    }
    return json.dumps(document).encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="measured batches per workload")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    workloads = tuple(name for name in args.workloads.split(",") if name)
    figures = asyncio.run(
        measure(args.database_url, requests=args.requests, rounds=args.rounds, workloads=workloads)
    )
    for name, micros in figures.items():
        print(f"{name:<10} {micros:>8.0f} us CPU per request")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out)


if __name__ == "__main__":
    main()
