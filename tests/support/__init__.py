"""Test doubles at the process boundary and small builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

# A fixed, whole-second start so epoch arithmetic in assertions is exact.
T0 = datetime(2026, 7, 19, 14, 0, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """A clock the test moves by hand, so deadline rules are checked without sleeping."""

    current: datetime = field(default=T0)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    def epoch(self, **delta: float) -> int:
        """Epoch seconds of now plus an offset: handy for deadlines."""
        return int((self.current + timedelta(**delta)).timestamp())


async def start_run(
    client: httpx.AsyncClient,
    name: str = "account-activation",
    process_id: str = "run-001",
    *,
    deadline: int | None = None,
    tags: dict[str, str] | list[tuple[str, str]] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Start a run through the API and return its body; fails the test on any non-201."""
    body: dict[str, Any] = {"id": process_id}
    if deadline is not None:
        body["deadline"] = deadline
    if tags is not None:
        pairs = tags.items() if isinstance(tags, dict) else tags
        body["tags"] = [{"key": key, "value": value} for key, value in pairs]
    if context is not None:
        body["context"] = context
    response = await client.post(f"/processes/{name}", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def finish_run(
    client: httpx.AsyncClient, name: str, process_id: str, status: str = "COMPLETED"
) -> dict[str, Any]:
    response = await client.put(f"/processes/{name}/{process_id}/complete", json={"status": status})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
