"""The wire format has one source: every response the suite gets from the service is checked
against the OpenAPI document the service publishes (``/openapi.json``).

While the suite runs, ``tap`` wraps ``httpx.Client.send`` and ``httpx.AsyncClient.send``. A
response counts as the service's when it came from a ToTrackIt app through
``httpx.ASGITransport`` (in-process clients) or from a server that ``tests.server`` started
(``register_server``); webhook receivers and other peers are left alone. For each one whose
method and path match an operation of the document, ``ContractChecker`` checks that

- the status code is declared for the operation, and
- a body has a declared media type and, for JSON, validates against the declared schema.

Responses to paths the document does not describe (the UI, /docs, unknown paths) are counted
but not judged. The document comes from an app built with default settings plus metrics on,
so a deployment's switches (metrics off, say) must be declared in the one document.

jsonschema checks the bodies: FastAPI writes OpenAPI 3.1, whose schemas are JSON Schema 2020-12,
so ``Draft202012Validator`` takes them as they are, and the suite already depended on it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from jsonschema import Draft202012Validator

API_TITLE = "ToTrackIt API"
# Set on a response by the wrapped ASGITransport when a ToTrackIt app produced it.
_FROM_APP = "totrackit.contract.app"


@dataclass(frozen=True)
class Violation:
    method: str
    path: str
    status: int
    origin: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status} ({self.origin}): {self.problem}"


@dataclass(frozen=True)
class _Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


class ContractChecker:
    """Judges responses against one OpenAPI document and keeps what it found."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._operations = [
            _Operation(
                method.upper(), template, _template_pattern(template), operation["responses"]
            )
            for template, item in document.get("paths", {}).items()
            for method, operation in item.items()
        ]
        self._lock = threading.Lock()
        self.violations: list[Violation] = []
        self.checked: Counter[tuple[str, int]] = Counter()  # ("GET /processes", 200)
        self.undocumented = 0  # responses to paths or methods the document does not describe
        self._validators: dict[str, Draft202012Validator] = {}

    def check(self, response: httpx.Response, *, origin: str, body: bytes | None) -> None:
        """Judge one response; ``body`` is None when it was streamed (status checked only)."""
        request = response.request
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        operation = self._operation(request.method, path)
        with self._lock:
            if operation is None:
                self.undocumented += 1
                return
            self.checked[f"{operation.method} {operation.template}", response.status_code] += 1
        for problem in self._problems(operation, response, body):
            violation = Violation(request.method, path, response.status_code, origin, problem)
            with self._lock:
                self.violations.append(violation)

    def _operation(self, method: str, path: str) -> _Operation | None:
        for operation in self._operations:
            if operation.method == method and operation.pattern.fullmatch(path):
                return operation
        return None

    def _problems(
        self, operation: _Operation, response: httpx.Response, body: bytes | None
    ) -> Iterator[str]:
        status = str(response.status_code)
        responses = operation.responses
        declared = (
            responses.get(status) or responses.get(f"{status[0]}XX") or responses.get("default")
        )
        if declared is None:
            yield f"status {status} is not declared for {operation.method} {operation.template} (declared: {', '.join(responses)})"
            return
        if not body:
            return
        content: dict[str, Any] = declared.get("content") or {}
        media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in content:
            declared_media = ", ".join(content) or "no body"
            yield f"a body of type {media or '(none)'} where the document declares {declared_media}: {_excerpt(body)}"
            return
        schema = content[media].get("schema")
        if media != "application/json" or not schema:
            return
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            yield f"the body is not JSON: {_excerpt(body)}"
            return
        validator = self._validator(f"{operation.method} {operation.template} {status}", schema)
        for error in sorted(validator.iter_errors(data), key=lambda e: e.json_path)[:5]:
            yield f"body {error.json_path}: {error.message}"

    def _validator(self, key: str, schema: dict[str, Any]) -> Draft202012Validator:
        validator = self._validators.get(key)
        if validator is None:
            # The document's components beside the schema: its "#/components/..." refs resolve.
            components = self.document.get("components", {})
            validator = self._validators[key] = Draft202012Validator(
                {**schema, "components": components}
            )
        return validator

    def report(self, violations: list[Violation] | None = None) -> str:
        """The violations as a readable list, one per line."""
        found = self.violations if violations is None else violations
        lines = [f"{len(found)} response(s) broke the OpenAPI document (/openapi.json):"]
        lines.extend(f"  - {violation}" for violation in found)
        return "\n".join(lines)

    def summary(self) -> str:
        operations = {operation for operation, _ in self.checked}
        return (
            f"contract: {sum(self.checked.values())} responses from the service checked against "
            f"/openapi.json ({len(operations)} of {len(self._operations)} operations, "
            f"{len(self.checked)} operation/status pairs), {self.undocumented} to undocumented "
            f"paths, {len(self.violations)} violation(s)"
        )


def _template_pattern(template: str) -> re.Pattern[str]:
    """``/processes/{name}`` -> a pattern matching the percent-encoded path of a request."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    )


def _excerpt(body: bytes, limit: int = 160) -> str:
    text = body[:limit].decode("utf-8", "replace")
    return repr(text + ("..." if len(body) > limit else ""))


# --- seeing the responses -----------------------------------------------------------------------

_servers: dict[tuple[str, str, int | None], str] = {}
_servers_lock = threading.Lock()


@contextmanager
def register_server(url: str, command: str) -> Iterator[None]:
    """Responses from ``url`` come from the service (``totrackit <command>``) while this lasts."""
    origin = _origin(httpx.URL(url))
    with _servers_lock:
        _servers[origin] = command
    try:
        yield
    finally:
        with _servers_lock:
            _servers.pop(origin, None)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def is_service_app(app: Any) -> bool:
    return isinstance(app, FastAPI) and app.title == API_TITLE


def _source(response: httpx.Response) -> str | None:
    """Where a response came from when it is the service's, else None."""
    if response.extensions.get(_FROM_APP):
        return "in-process app"
    with _servers_lock:
        command = _servers.get(_origin(response.request.url))
    return (
        None
        if command is None
        else f"totrackit {command} at {response.request.url.host}:{response.request.url.port}"
    )


@contextmanager
def tap(checker: ContractChecker) -> Iterator[ContractChecker]:
    """Check every response from the service that httpx receives in this process meanwhile."""
    sync_send = httpx.Client.send
    async_send = httpx.AsyncClient.send
    asgi_handle = httpx.ASGITransport.handle_async_request

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = sync_send(self, request, **kwargs)
        _inspect(checker, response, streamed=bool(kwargs.get("stream")))
        return response

    async def asend(
        self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
    ) -> httpx.Response:
        response = await async_send(self, request, **kwargs)
        _inspect(checker, response, streamed=bool(kwargs.get("stream")))
        return response

    async def handle(self: httpx.ASGITransport, request: httpx.Request) -> httpx.Response:
        response = await asgi_handle(self, request)
        if is_service_app(self.app):
            response.extensions[_FROM_APP] = True
        return response

    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = asend  # type: ignore[method-assign]
    httpx.ASGITransport.handle_async_request = handle  # type: ignore[method-assign]
    try:
        yield checker
    finally:
        httpx.Client.send = sync_send  # type: ignore[method-assign]
        httpx.AsyncClient.send = async_send  # type: ignore[method-assign]
        httpx.ASGITransport.handle_async_request = asgi_handle  # type: ignore[method-assign]


def _inspect(checker: ContractChecker, response: httpx.Response, *, streamed: bool) -> None:
    source = _source(response)
    if source is not None:
        checker.check(response, origin=source, body=None if streamed else response.content)


def service_document() -> dict[str, Any]:
    """The document /openapi.json serves, from an app with default settings and metrics on."""
    from totrackit.app import create_app
    from totrackit.settings import Settings
    from totrackit.web.openapi import build_openapi

    settings = Settings(database_url="sqlite:///:memory:", env="test", metrics_enabled=True)
    document: dict[str, Any] = orjson.loads(orjson.dumps(build_openapi(create_app(settings))))
    return document
