"""Driving the app in-process (no HTTP server) to compare two configurations' CPU per request.

On a machine shared with other work, requests/s drift with the neighbours' load. CPU time per
request of two apps driven side by side, in alternating batches, is steadier: whatever slows
the machine down slows both.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

# label: (method, path)
Workloads = dict[str, tuple[str, str]]


async def request(app: Any, method: str, path: str, number: int) -> None:
    """One request through the whole ASGI stack; POST sends a create body with a unique id."""
    body = b""
    if method == "POST":
        body = (
            b'{"id":"r-%d","deadline":2000000000,"tags":[{"key":"country","value":"C1"},'
            b'{"key":"channel","value":"web"}],"context":{"customerId":"C1","attempt":1}}' % number
        )
    await call(app, method, path, body=body)


async def call(
    app: Any, method: str, path: str, *, body: bytes = b"", expect: int | None = None
) -> int:
    """One request through the whole ASGI stack; returns the status, which must be ``expect``."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    if expect is not None and status != expect:
        raise RuntimeError(f"{method} {path} answered {status}, expected {expect}")
    return status


def cpu_per_request(
    overrides: dict[bool, dict[str, Any]], workloads: Workloads, *, batches: int, size: int
) -> dict[str, tuple[float, float]]:
    """(CPU us per request with overrides[False], with overrides[True]) for each workload.

    Each side is an app built from ``Settings(env="production", **overrides[side])`` on its own
    SQLite file; the first batch of each warms up and is not counted.
    """
    with tempfile.TemporaryDirectory() as data:
        return asyncio.run(_alternate(Path(data), overrides, workloads, batches, size))


async def _alternate(
    data: Path,
    overrides: dict[bool, dict[str, Any]],
    workloads: Workloads,
    batches: int,
    size: int,
) -> dict[str, tuple[float, float]]:
    from totrackit.app import create_app
    from totrackit.settings import Settings

    samples: dict[str, dict[bool, list[float]]] = {
        label: {False: [], True: []} for label in workloads
    }
    numbers = itertools.count()
    apps = {
        side: create_app(Settings(env="production", data_dir=data / str(side), **options))
        for side, options in overrides.items()
    }
    async with AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        for batch in range(batches):
            for label, (method, path) in workloads.items():
                for side in (False, True) if batch % 2 else (True, False):
                    started = time.process_time()
                    for _ in range(size):
                        await request(apps[side], method, path, next(numbers))
                    cpu = (time.process_time() - started) / size * 1e6
                    if batch:
                        samples[label][side].append(cpu)
    return {
        label: (statistics.median(sides[False]), statistics.median(sides[True]))
        for label, sides in samples.items()
    }
