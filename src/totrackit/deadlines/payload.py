"""The webhook body of a deadline event (contract 4.5), serialised once, at enqueue time."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import orjson

from totrackit.clock import epoch_seconds
from totrackit.deadlines.models import DueRun, EventType


def build_payload(*, event: EventType, run: DueRun, now: datetime, public_url: str) -> str:
    """The JSON body, keys in the contract's order; ``seconds_remaining`` only for warnings."""
    body: dict[str, Any] = {
        "event": event.value,
        "name": run.name,
        "id": run.process_id,
        "started_at": epoch_seconds(run.started_at),
        "deadline": epoch_seconds(run.deadline),
    }
    if event is EventType.DEADLINE_WARNING:
        body["seconds_remaining"] = epoch_seconds(run.deadline) - epoch_seconds(now)
    # Always present, like every process response (contract decision 2).
    body["tags"] = run.tags
    body["context"] = run.context
    if public_url.strip():
        body["url"] = deep_link(public_url, name=run.name, process_id=run.process_id)
    return orjson.dumps(body).decode()


def deep_link(public_url: str, *, name: str, process_id: str) -> str:
    """``<public-url>/?process=<name>/<id>``: the web UI opens the run's detail panel."""
    base = public_url.strip().rstrip("/")
    return f"{base}/?process={form_encode(name)}/{form_encode(process_id)}"


def form_encode(value: str) -> str:
    """Encode like Java's ``URLEncoder.encode(value, UTF_8)``, as the original does.

    Both turn a space into ``+``; they differ only in ``*`` (Java keeps it) and ``~`` (Java
    escapes it).
    """
    return quote_plus(value, safe="*").replace("~", "%7E")
