"""Log lines: JSON in production, readable in development, one level and one format for all."""

from __future__ import annotations

import logging
import re
import warnings

import pytest
from pydantic import ValidationError

from tests.observability.conftest import CaptureLogs
from tests.observability.support import json_lines
from totrackit.observability.context import current_request_id, probe_context, request_context
from totrackit.observability.logs import LogFormat, resolve_format
from totrackit.settings import Settings

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_a_json_line_has_the_documented_fields(capture_logs: CaptureLogs) -> None:
    output = capture_logs()

    logging.getLogger("totrackit.test").info(
        "run %s started", "r-1", extra={"process_name": "billing", "attempt": 2}
    )

    [line] = json_lines(output)
    assert ISO_UTC.match(line.pop("timestamp"))
    assert isinstance(line.pop("pid"), int)
    assert line == {
        "level": "INFO",
        "logger": "totrackit.test",
        "message": "run r-1 started",
        "request_id": None,
        "process_name": "billing",
        "attempt": 2,
    }


def test_an_exception_stays_on_one_json_line_with_its_traceback(capture_logs: CaptureLogs) -> None:
    output = capture_logs()

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("totrackit.test").exception("it failed")

    [line] = json_lines(output)
    assert line["level"] == "ERROR"
    assert line["message"] == "it failed"
    assert "Traceback" in line["exception"] and "RuntimeError: boom" in line["exception"]


def test_values_json_cannot_encode_are_written_as_text(capture_logs: CaptureLogs) -> None:
    output = capture_logs()

    logging.getLogger("totrackit.test").info("odd", extra={"thing": object(), "ids": {1, 2}})

    [line] = json_lines(output)
    assert line["thing"].startswith("<object object")
    assert sorted(line["ids"]) == [1, 2]


def test_development_logs_are_readable_lines(capture_logs: CaptureLogs) -> None:
    output = capture_logs(env="development", log_format="auto")

    with request_context("req-42"):
        logging.getLogger("totrackit.test").warning("disk %s", "low", extra={"free_mb": 12})

    [line] = output.getvalue().splitlines()
    assert re.match(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} WARNING totrackit\.test: disk low  "
        r"free_mb=12 request_id=req-42$",
        line,
    )


@pytest.mark.parametrize(
    ("env", "log_format", "expected"),
    [
        ("production", "auto", LogFormat.JSON),
        ("development", "auto", LogFormat.CONSOLE),
        ("test", "auto", LogFormat.CONSOLE),
        ("production", "console", LogFormat.CONSOLE),
        ("development", "JSON", LogFormat.JSON),
    ],
)
def test_json_in_production_unless_the_format_is_given(
    env: str, log_format: str, expected: LogFormat
) -> None:
    settings = Settings(env=env, log_format=log_format)

    assert resolve_format(settings) is expected


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("debug", "DEBUG"),
        ("Info", "INFO"),
        ("WARN", "WARNING"),
        ("warning", "WARNING"),
        ("error", "ERROR"),
    ],
)
def test_level_names_are_case_insensitive_and_warn_means_warning(
    configured: str, expected: str
) -> None:
    assert Settings(log_level=configured).observability.log_level == expected


def test_an_unknown_level_is_a_configuration_error() -> None:
    with pytest.raises(ValidationError, match="log_level"):
        Settings(log_level="verbose")


@pytest.mark.parametrize(
    ("level", "written"),
    [
        ("DEBUG", ["DEBUG", "INFO", "WARNING", "ERROR"]),
        ("INFO", ["INFO", "WARNING", "ERROR"]),
        ("WARN", ["WARNING", "ERROR"]),
        ("ERROR", ["ERROR"]),
    ],
)
def test_the_log_level_is_honoured(
    capture_logs: CaptureLogs, level: str, written: list[str]
) -> None:
    output = capture_logs(log_level=level)
    log = logging.getLogger("totrackit.test")

    log.debug("d")
    log.info("i")
    log.warning("w")
    log.error("e")

    assert [line["level"] for line in json_lines(output)] == written


def test_library_loggers_are_written_in_the_same_format(capture_logs: CaptureLogs) -> None:
    output = capture_logs(log_level="DEBUG")

    for name in ("uvicorn.error", "alembic.runtime.migration", "sqlalchemy.engine.Engine", "httpx"):
        logging.getLogger(name).info("from %s", name)

    lines = json_lines(output)
    # uvicorn writes its start and stop lines to "uvicorn.error": they are logged as "uvicorn".
    assert [line["logger"] for line in lines] == [
        "uvicorn",
        "alembic.runtime.migration",
        "sqlalchemy.engine.Engine",
        "httpx",
    ]
    assert [line["message"] for line in lines] == [
        "from uvicorn.error",
        "from alembic.runtime.migration",
        "from sqlalchemy.engine.Engine",
        "from httpx",
    ]


def test_alembic_plugin_chatter_shows_only_at_debug(capture_logs: CaptureLogs) -> None:
    output = capture_logs(log_level="INFO")

    logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate.types")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade -> 0001")

    assert [line["logger"] for line in json_lines(output)] == ["alembic.runtime.migration"]


def test_uvicorn_access_lines_are_off_because_we_write_our_own(capture_logs: CaptureLogs) -> None:
    output = capture_logs(log_level="DEBUG")

    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET / HTTP/1.1" 200')

    assert output.getvalue() == ""


def test_sql_statements_and_httpx_requests_show_only_at_debug(capture_logs: CaptureLogs) -> None:
    output = capture_logs(log_level="INFO")

    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 1")
    logging.getLogger("httpx").info("HTTP Request: POST https://example.test")
    logging.getLogger("sqlalchemy.engine.Engine").warning("a warning still shows")

    assert [line["message"] for line in json_lines(output)] == ["a warning still shows"]


def test_python_warnings_are_log_lines_too(capture_logs: CaptureLogs) -> None:
    output = capture_logs()

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("an old API", DeprecationWarning, stacklevel=1)

    [line] = json_lines(output)
    assert line["logger"] == "py.warnings" and "an old API" in line["message"]


def test_background_work_runs_under_its_own_request_id(capture_logs: CaptureLogs) -> None:
    output = capture_logs()
    log = logging.getLogger("totrackit.deadlines.test")

    with request_context() as first:
        log.info("tick")
        assert current_request_id() == first
    with request_context() as second:
        log.info("tick")
    log.info("idle")

    assert first != second and re.fullmatch(r"[0-9a-f]{32}", first)
    assert [line["request_id"] for line in json_lines(output)] == [first, second, None]


def test_an_explicit_request_id_field_wins(capture_logs: CaptureLogs) -> None:
    output = capture_logs()

    with request_context("outer"):
        logging.getLogger("totrackit.test").info("delivery", extra={"request_id": "delivery-1"})

    [line] = json_lines(output)
    assert line["request_id"] == "delivery-1"
    assert "delivery-1" not in {k for k in line if k != "request_id"}


def test_configuring_twice_keeps_one_handler(capture_logs: CaptureLogs) -> None:
    capture_logs()
    output = capture_logs()

    logging.getLogger("totrackit.test").info("once")

    assert len(json_lines(output)) == 1
    names = [h.get_name() for h in logging.getLogger().handlers]
    assert names.count("totrackit") == 1


@pytest.mark.parametrize(("level", "written"), [("INFO", ["w"]), ("DEBUG", ["d", "i", "w"])])
def test_inside_a_health_probe_only_warnings_show_unless_debugging(
    capture_logs: CaptureLogs, level: str, written: list[str]
) -> None:
    output = capture_logs(log_level=level)
    log = logging.getLogger("alembic.runtime.migration")

    with probe_context():
        log.debug("d")
        log.info("i")
        log.warning("w")

    assert [line["message"] for line in json_lines(output)] == written
