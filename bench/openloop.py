"""An open-loop HTTP load generator: requests start on a fixed schedule, whatever the answers do.

wrk is closed-loop: a slow answer delays the next request on its connection, so the latency it
reports leaves out the time requests would have waited (coordinated omission). Here request i
is due at ``start + i / rate``; it goes out on an idle keep-alive connection, or a new one, and
its latency is counted from when it was due, so queueing in front of a saturated server shows
up in the percentiles (as in wrk2 or oha's latency correction). wrk2 and oha are not packaged
for Debian 12, so this small asyncio client stands in; it costs tens of microseconds of CPU
per request, which ``Result.generator_cpu`` reports beside every run.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: (method, path, body) of one request.
Request = tuple[str, str, bytes]
#: Makes the next request of a kind; returns None when it has nothing to send yet.
RequestFactory = Callable[[], Request | None]


@dataclass
class Result:
    offered_rps: float
    achieved_rps: float
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    generator_cpu: float = 0.0  # share of one core the generator used

    def summary(self, kind: str | None = None) -> dict[str, float]:
        """p50/p99/p99.9/max in ms and the error count, of one kind or of all together."""
        samples = sorted(
            self.latencies_ms.get(kind, [])
            if kind
            else [v for values in self.latencies_ms.values() for v in values]
        )
        errors = self.errors.get(kind, 0) if kind else sum(self.errors.values())
        if not samples:
            return {"count": 0, "errors": errors}
        return {
            "count": len(samples),
            "p50": percentile(samples, 0.50),
            "p99": percentile(samples, 0.99),
            "p99.9": percentile(samples, 0.999),
            "max": samples[-1],
            "errors": errors,
        }


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def exchange(self, host: str, request: Request) -> tuple[int, bytes]:
        method, path, body = request
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while size := int((await self.reader.readline()).strip(), 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readline()
        return status, b"".join(part[:-2] for part in parts)

    def close(self) -> None:
        self.writer.close()


async def run(
    host: str,
    port: int,
    mix: dict[str, tuple[float, RequestFactory]],
    *,
    rate: float,
    duration: float,
    warmup: float = 0.0,
    max_connections: int = 512,
    on_answer: Callable[[str, Request, int, bytes], None] | None = None,
    seed: int = 1,
) -> Result:
    """Offer ``rate`` requests/s drawn from ``mix`` (kind: (weight, factory)) for ``warmup`` +
    ``duration`` seconds; only requests due after the warm-up are counted."""
    rng = random.Random(seed)
    kinds = list(mix)
    weights = [mix[kind][0] for kind in kinds]
    idle: deque[_Connection] = deque()
    open_connections = 0
    slots = asyncio.Semaphore(max_connections)
    result = Result(offered_rps=rate, achieved_rps=0.0)
    latencies: dict[str, list[float]] = {kind: [] for kind in kinds}
    errors: dict[str, int] = dict.fromkeys(kinds, 0)
    pending: set[asyncio.Task[None]] = set()
    answered = 0  # requests due after the warm-up that got an answer, any status
    started = time.perf_counter()
    measured_from = started + warmup
    cpu_started = os.times()

    async def one(kind: str, request: Request, due: float) -> None:
        nonlocal open_connections, answered
        async with slots:
            connection = idle.pop() if idle else None
            try:
                if connection is None:
                    reader, writer = await asyncio.open_connection(host, port)
                    connection = _Connection(reader, writer)
                    open_connections += 1
                status, body = await connection.exchange(host, request)
            except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError):
                if connection is not None:
                    connection.close()
                    open_connections -= 1
                if due >= measured_from:
                    errors[kind] += 1
                return
            idle.append(connection)
        if due >= measured_from:
            answered += 1
            latencies[kind].append((time.perf_counter() - due) * 1000)
            if not 200 <= status < 300:
                errors[kind] += 1
        if on_answer is not None:
            on_answer(kind, request, status, body)

    total = int(rate * (warmup + duration))
    for index in range(total):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        kind = rng.choices(kinds, weights)[0]
        request = mix[kind][1]()
        if request is None:  # nothing to send for this kind yet: the first kind stands in
            kind = kinds[0]
            request = mix[kind][1]()
            if request is None:
                continue
        task = asyncio.create_task(one(kind, request, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)
    elapsed = time.perf_counter() - measured_from
    cpu = os.times()
    used = (cpu.user - cpu_started.user) + (cpu.system - cpu_started.system)
    for connection in idle:
        connection.close()
    result.latencies_ms = latencies
    result.errors = errors
    result.achieved_rps = answered / elapsed if elapsed > 0 else 0.0
    result.generator_cpu = used / (time.perf_counter() - started)
    return result


def describe(result: Result, kinds: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per kind plus "all": the figures a report prints."""
    rows = [{"kind": "all", **result.summary()}]
    for kind in kinds or list(result.latencies_ms):
        rows.append({"kind": kind, **result.summary(kind)})
    return rows
