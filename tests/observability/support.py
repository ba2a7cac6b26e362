"""Helpers for the observability tests: captured log lines, an in-process app, an OTLP receiver."""

from __future__ import annotations

import gzip
import io
import json
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from totrackit.observability.logs import HANDLER_NAME

CLIENT = ("203.0.113.7", 50123)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line written so far, parsed; fails on any line that is not a JSON object."""
    return [json.loads(line) for line in stream.getvalue().splitlines() if line]


@contextmanager
def logging_restored() -> Iterator[None]:
    """Undo configure_logging after a test: it changes process-wide logging state."""
    root = logging.getLogger()
    names = [name for name in logging.root.manager.loggerDict if not name.startswith("_")]
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate, lg.disabled) for lg in loggers]
    root_state = (root.handlers[:], root.level)
    hooks = (sys.excepthook, threading.excepthook)
    flags = (logging.logThreads, logging.logMultiprocessing)
    capturing = logging._warnings_showwarning is not None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
        root.handlers[:], root.level = root_state[0], root_state[1]
        for lg, handlers, level, propagate, disabled in saved:
            lg.handlers[:] = handlers
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled
        sys.excepthook, threading.excepthook = hooks
        logging.logThreads, logging.logMultiprocessing = flags
        logging.captureWarnings(capturing)


@asynccontextmanager
async def in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, behind an in-process client from a fixed address."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=CLIENT)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@dataclass
class ReceivedSpan:
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    service_name: str
    attributes: dict[str, Any]


@dataclass
class OtlpReceiver:
    """A tiny OTLP/HTTP trace receiver: decodes what the exporter posts to /v1/traces.

    Any other path answers 200 too and records its headers, as an outgoing-call target.
    """

    port: int = 0
    exports: int = 0
    spans: list[ReceivedSpan] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, body: bytes) -> bytes:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        spans = []
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.append(
                        ReceivedSpan(
                            name=span.name,
                            kind=span.kind,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            service_name=str(resource.get("service.name")),
                            attributes=_attributes(span.attributes),
                        )
                    )
        with self._lock:
            self.exports += 1
            self.spans.extend(spans)
        return bytes(ExportTraceServiceResponse().SerializeToString())

    def wait_for(
        self, predicate: Callable[[list[ReceivedSpan]], bool], timeout: float = 10
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if predicate(list(self.spans)):
                    return
            time.sleep(0.05)
        raise AssertionError(f"spans not received in {timeout}s: {[s.name for s in self.spans]}")


def _attributes(values: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in values:
        kind = item.value.WhichOneof("value")
        result[item.key] = getattr(item.value, kind) if kind else None
    return result


@contextmanager
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                self._answer(receiver.record(body))
            else:
                self.do_GET()

        def do_GET(self) -> None:
            with receiver._lock:
                receiver.calls.append(
                    {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
                )
            self._answer(b"{}")

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_sample(
    path: Path, sample: str, labels: dict[str, str], value: float, *, family: str, help_text: str
) -> None:
    """Write one sample into a metrics file the way a worker process's prometheus_client does."""
    values = MmapedDict(str(path))  # type: ignore[no-untyped-call]
    try:
        key = mmap_key(family, sample, list(labels), list(labels.values()), help_text)
        values.write_value(key, value, 0.0)  # type: ignore[no-untyped-call]
    finally:
        values.close()  # type: ignore[no-untyped-call]
