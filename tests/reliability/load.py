"""A steady stream of creates against a running server, recording what each client was told.

Each writer thread sends ``POST /processes/{name}`` with ids of its own, one after the other, and
keeps every outcome: the status and error code it got, or that it got no answer at all (the
connection was reset or refused). A test then checks the server's promises against this record.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

NAME = "load"


@dataclass(frozen=True)
class Outcome:
    run_id: str
    status: int | None  # None: no response reached the client
    error: str | None = None  # the body's error code, or the transport error's type
    retry_after: str | None = None


@dataclass
class Load:
    """What the writers were told, and the URL they send to (a test may point it elsewhere)."""

    url: str
    outcomes: list[Outcome] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the writers and wait for the requests they have in flight."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def acknowledged(self) -> set[str]:
        """Runs the server said it created (2xx)."""
        return {o.run_id for o in self.snapshot() if o.status is not None and o.status < 300}

    def unanswered(self) -> set[str]:
        """Creates whose answer the client never got: created or not, it cannot know."""
        return {o.run_id for o in self.snapshot() if o.status is None}

    def refused(self) -> list[Outcome]:
        return [o for o in self.snapshot() if o.status is not None and o.status >= 300]

    def snapshot(self) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes)

    def count(self, predicate: Callable[[Outcome], bool]) -> int:
        return sum(1 for o in self.snapshot() if predicate(o))


def create(client: httpx.Client, url: str, run_id: str) -> Outcome:
    try:
        response = client.post(
            f"{url}/processes/{NAME}",
            json={"id": run_id, "tags": [{"key": "writer", "value": run_id[:2]}]},
        )
    except httpx.TransportError as error:
        return Outcome(run_id, None, type(error).__name__)
    error_code = None
    if response.status_code >= 300 and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        error_code = response.json().get("error")
    return Outcome(run_id, response.status_code, error_code, response.headers.get("retry-after"))


@contextmanager
def steady_writes(url: str, *, writers: int = 4, timeout: float = 30.0) -> Iterator[Load]:
    """Writers sending creates until the block ends. ``timeout`` bounds every request: one that
    takes longer is recorded as unanswered (``ReadTimeout``), which tests treat as a hang."""
    load = Load(url)

    def write(writer: int) -> None:
        with httpx.Client(timeout=timeout) as client:
            sequence = 0
            while not load._stop.is_set():
                sequence += 1
                outcome = create(client, load.url, f"w{writer}-{sequence}-{time.monotonic_ns()}")
                load.record(outcome)
                if outcome.status is None or outcome.status >= 500:
                    time.sleep(0.05)  # a retrying client backs off a little

    load._threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(writers)]
    for thread in load._threads:
        thread.start()
    try:
        yield load
    finally:
        load.stop()


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.05)


def answers(url: str, path: str) -> int | None:
    try:
        return httpx.get(f"{url}{path}", timeout=5).status_code
    except httpx.TransportError:
        return None
