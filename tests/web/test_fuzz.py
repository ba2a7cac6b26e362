"""Hostile input, generated from the service's own OpenAPI document.

Schemathesis sends every operation schema-valid and schema-invalid requests (its examples,
coverage and fuzzing phases) to a real server process, with every check it has: no server
error, responses as documented (status, headers, body), invalid data refused, valid data
accepted. The server runs on SQLite and on PostgreSQL, open and behind an API key.

The run is deterministic, so CI sees the same cases every time; a longer random campaign:
``TOTRACKIT_TEST_FUZZ_EXAMPLES=2000 TOTRACKIT_TEST_FUZZ_RANDOM=1 pytest tests/web/test_fuzz.py``.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.support.servers import running_server
from totrackit.app import create_app
from totrackit.settings import Settings
from totrackit.transfer.routes import JSON_LINES

API_KEY = "fuzz-key-0123456789abcdef"
EXAMPLES = int(os.environ.get("TOTRACKIT_TEST_FUZZ_EXAMPLES", "25"))
RANDOM = os.environ.get("TOTRACKIT_TEST_FUZZ_RANDOM") == "1"


@pytest.fixture(scope="module")
def fuzz_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own for the fuzzed server, so its runs never meet other tests'."""
    backend = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
        return
    server_url: str = request.getfixturevalue("postgresql_url")
    name = f"fuzz_{uuid.uuid4().hex[:8]}"
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="module", params=["open", "api-key"])
def protection(request: pytest.FixtureRequest) -> str:
    mode: str = request.param
    return mode


@pytest.fixture(scope="module")
def server_url(
    fuzz_database_url: str, protection: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    env = {"TOTRACKIT_DATABASE_URL": fuzz_database_url, "TOTRACKIT_RATE_LIMIT": ""}
    if protection == "api-key":
        env["TOTRACKIT_API_KEY"] = API_KEY
    data_dir: Path = tmp_path_factory.mktemp("fuzz-server")
    with running_server(data_dir=data_dir, command="api", env=env) as server:
        served = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
        assert served == DOCUMENT, "the server must serve the document the cases come from"
        yield server.url


#: The document the server serves (checked above), built in-process so the cases exist at
#: collection time.
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)
# POST /imports takes JSON Lines as text: its bodies are strings to the schema, sent as they are.
for _media_type in JSON_LINES:
    schemathesis.serializer.alias(_media_type, "text/plain")


def _made_answerable(case: Any) -> None:
    """Two inputs whose validity no schema can state, adjusted without changing whether the
    case is schema-valid: a deadline that has already passed (refused by the clock: only
    deadlines up to a minute ago are moved, an hour ahead of now), and a cursor, which is valid
    only when the service wrote it (tests/processes/test_list.py covers cursors)."""
    if isinstance(case.body, dict):
        deadline = case.body.get("deadline")
        now = int(time.time())
        whole = isinstance(deadline, int | float) and float(deadline).is_integer()
        if whole and not isinstance(deadline, bool) and 0 <= deadline <= now:
            case.body["deadline"] = now + 3600
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)


@pytest.mark.parametrize(
    "fuzz_database_url", ["sqlite", "postgresql"], indirect=True, scope="module"
)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_input_gets_a_documented_answer(case: Any, server_url: str, protection: str) -> None:
    headers = {"X-API-KEY": API_KEY} if protection == "api-key" else None
    _made_answerable(case)
    # An upload's body is text to the schema, so neither check has a meaning there: a
    # "schema-violating" body (an object) reaches the wire as text too, and whether the lines
    # are runs is what the endpoint checks (422 per line, tests/transfer/test_imports_api.py).
    # Its parameters, statuses and error bodies are still checked.
    excluded = (
        [positive_data_acceptance, negative_data_rejection]
        if case.operation.path == "/imports"
        else None
    )
    case.call_and_validate(base_url=server_url, headers=headers, excluded_checks=excluded)
