"""Fixtures: logging configured into a buffer (and undone), apps built per test."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.observability.support import logging_restored
from totrackit.observability.logs import configure_logging
from totrackit.settings import Settings

CaptureLogs = Callable[..., io.StringIO]
MakeSettings = Callable[..., Settings]


@pytest.fixture
def capture_logs() -> Iterator[CaptureLogs]:
    """``capture_logs(log_level=..., ...)`` routes all logging into the returned buffer."""

    def configure(**overrides: Any) -> io.StringIO:
        stream = io.StringIO()
        values: dict[str, Any] = {"env": "test", "log_format": "json", **overrides}
        configure_logging(Settings(**values), stream=stream)
        return stream

    with logging_restored():
        yield configure


@pytest.fixture
def make_settings(db: AsyncEngine, database_url: str) -> MakeSettings:
    """Settings for an app on the test database (migrated, emptied after the test)."""

    def make(**overrides: Any) -> Settings:
        return Settings(database_url=database_url, env="test", auto_migrate=False, **overrides)

    return make
