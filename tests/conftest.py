"""Fixtures: every API test runs once on SQLite and once on a real PostgreSQL.

PostgreSQL comes from ``TOTRACKIT_TEST_DATABASE_URL`` when set; otherwise the suite starts a
throwaway server from the ``pgserver`` wheel, so nothing has to be installed by hand.
Each test starts from empty tables (they are cleared after every test). Every response a test
gets from the service is checked against /openapi.json (tests/support/contract.py); a test
whose responses break it fails with the list.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import FakeClock, contract
from totrackit.app import create_app
from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.db.tables import metadata
from totrackit.settings import FIELDS_BY_NAME, Settings
from totrackit.settings.sources import variable

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def hermetic_environment() -> Iterator[None]:
    """The developer's settings variables (an exported ``TOTRACKIT_API_KEY``, a sourced .env)
    must not change what the suite tests: every variable a setting reads is removed for the
    session, so servers the suite starts inherit a clean environment. Harness variables
    (``TOTRACKIT_TEST_*``, the container suite's image and offline-mode variables) stay."""
    settings_variables = {variable(name) for name in FIELDS_BY_NAME}
    settings_variables |= {f"{key}_FILE" for key in settings_variables}
    removed = {key: os.environ.pop(key) for key in list(os.environ) if key in settings_variables}
    yield
    os.environ.update(removed)


CONTRACT = pytest.StashKey[contract.ContractChecker]()


@pytest.fixture(scope="session", autouse=True)
def contract_checker(pytestconfig: pytest.Config) -> Iterator[contract.ContractChecker]:
    """Watches every response from the service for the whole session."""
    checker = contract.ContractChecker(contract.service_document())
    pytestconfig.stash[CONTRACT] = checker
    with contract.tap(checker):
        yield checker


@pytest.fixture(autouse=True)
def _responses_follow_the_contract(contract_checker: contract.ContractChecker) -> Iterator[None]:
    seen = len(contract_checker.violations)
    yield
    found = contract_checker.violations[seen:]
    if found:
        pytest.fail(contract_checker.report(found), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    checker = config.stash.get(CONTRACT, None)
    if checker is not None:
        terminalreporter.write_line(checker.summary())


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    configured = os.environ.get("TOTRACKIT_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    import warnings

    with warnings.catch_warnings():
        # pgserver's import asks platformdirs for a runtime dir, which warns on CI machines.
        warnings.simplefilter("ignore")
        import pgserver

    with tempfile.TemporaryDirectory(prefix="totrackit-pg-") as data_dir:
        server = pgserver.get_server(Path(data_dir), cleanup_mode="stop")
        yield server.get_uri()
        server.cleanup()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'totrackit.db'}"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
async def migrated_db(database_url: str) -> AsyncIterator[AsyncEngine]:
    db = make_db(Settings(database_url=database_url).database)
    await migrate.upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture
async def db(migrated_db: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    yield migrated_db
    async with migrated_db.begin() as conn:
        for table in reversed(metadata.sorted_tables):  # children before their parents
            await conn.execute(delete(table))


@pytest.fixture
async def scratch_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The URL of an empty database of the same backend as ``database_url``, for tests that
    build the schema themselves (migrations); it is dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'scratch.db'}"
        return
    admin = make_db(Settings(database_url=database_url).database)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("DROP DATABASE IF EXISTS totrackit_scratch WITH (FORCE)")
        await conn.exec_driver_sql("CREATE DATABASE totrackit_scratch")
    base = Settings(database_url=database_url).database.location.url
    yield base.set(database="totrackit_scratch").render_as_string(False)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("DROP DATABASE totrackit_scratch WITH (FORCE)")
    await admin.dispose()


@pytest.fixture
async def scratch_db(scratch_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the empty database at ``scratch_url``."""
    db = make_db(Settings(database_url=scratch_url).database)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def postgresql_only(database_url: str) -> str:
    """The PostgreSQL URL; skips the SQLite run of a test where several processes share the
    database (SQLite serves one process)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share one database: PostgreSQL only")
    return database_url


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or with ``@pytest.mark.parametrize``) to change settings."""
    return {}


@pytest.fixture
async def client(
    db: AsyncEngine, database_url: str, clock: FakeClock, settings_overrides: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url, env="test", auto_migrate=False, **settings_overrides
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
