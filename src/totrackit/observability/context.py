"""The correlation id of the work in progress, carried in a contextvar into every log line.

An HTTP request gets its id from ``X-Request-ID`` (or a fresh one) in the access middleware;
background work (a scheduler tick, a webhook delivery batch) opens its own with
:func:`request_context`. Anything that runs in that context, including database logs and
outgoing webhooks, can read it with :func:`current_request_id`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

#: What an incoming X-Request-ID may look like: short, printable and unable to break a log line.
_VALID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")

_request_id: ContextVar[str | None] = ContextVar("totrackit_request_id", default=None)
_probe: ContextVar[bool] = ContextVar("totrackit_probe", default=False)

#: Returns (trace_id, span_id) of the active span; installed only while tracing runs.
TraceIds = Callable[[], "tuple[str, str] | None"]
_trace_ids: TraceIds | None = None


def current_request_id() -> str | None:
    """The correlation id of the request or job being handled, or None outside of one."""
    return _request_id.get()


def new_request_id() -> str:
    """A fresh correlation id: 32 hex digits."""
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is sane (1-128 safe characters), otherwise a fresh one."""
    if value and _VALID.fullmatch(value):
        return value
    return new_request_id()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make ``request_id`` current; pass the token to :func:`unbind_request_id` when done."""
    return _request_id.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    """Run a block (a scheduled job, one engine tick) under its own correlation id."""
    request_id = request_id or new_request_id()
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


@contextmanager
def probe_context() -> Iterator[None]:
    """Around a health probe: its INFO lines (ours and libraries') are written only at DEBUG."""
    token = _probe.set(True)
    try:
        yield
    finally:
        _probe.reset(token)


def in_probe() -> bool:
    return _probe.get()


def current_trace_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) in hex when tracing is on and a span is active, else None."""
    source = _trace_ids
    return source() if source is not None else None


def set_trace_ids_source(source: TraceIds | None) -> None:
    """Installed by the tracing setup, so log lines can name the active span."""
    global _trace_ids
    _trace_ids = source
