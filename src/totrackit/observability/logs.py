"""Log output: one JSON object per line in production, readable lines in development.

Every record, ours or a library's (uvicorn, SQLAlchemy, Alembic, httpx), goes through one
handler on the root logger. Its filter adds the correlation id (and the trace and span ids when
tracing is on) and masks secrets; its formatter writes the line. ``configure_logging`` is called
once by the commands that run the service, before the server starts.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

import orjson
from pydantic import BaseModel, SecretStr

from totrackit.observability.context import current_request_id, current_trace_ids, in_probe
from totrackit.observability.redaction import Redactor
from totrackit.settings.types import WEBHOOK_SECRET_PREFIX

if TYPE_CHECKING:
    from totrackit.settings import Settings

HANDLER_NAME = "totrackit"


class LogFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


# Attributes every LogRecord has; anything else on a record is an extra field worth writing.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}
_CONTEXT = frozenset({"request_id", "trace_id", "span_id"})
_NOT_EXTRA = _STANDARD | _CONTEXT


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with ``extra=``, in the order they were given."""
    return {key: value for key, value in record.__dict__.items() if key not in _NOT_EXTRA}


class ContextFilter(logging.Filter):
    """Adds the correlation and trace ids, then masks secrets in every part of the record.

    Below WARNING, lines written while a health probe is handled are dropped unless the level
    is DEBUG: probes arrive every few seconds and must not fill the log.
    """

    def __init__(self, redactor: Redactor, *, verbose: bool = False) -> None:
        super().__init__()
        self.redactor = redactor
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and not self.verbose and in_probe():
            return False
        fields = record.__dict__
        if "request_id" not in fields:
            fields["request_id"] = current_request_id()
        ids = current_trace_ids()
        if ids is not None:
            fields["trace_id"], fields["span_id"] = ids
        try:
            self._redact(record)
        except Exception:  # a malformed record must not break the caller; say so instead
            record.msg, record.args = "log record could not be formatted (redacted)", None
            record.exc_info = record.exc_text = None
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        redact = self.redactor
        message = record.getMessage()
        record.msg, record.args = message, None
        if not record.exc_info and not record.stack_info and not self._suspicious(record):
            return  # the common case, decided with one scan over the record's text
        record.msg = redact.text(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact.text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact.text(record.stack_info)
        fields = record.__dict__
        for key in [key for key in fields if key not in _NOT_EXTRA]:
            fields[key] = redact.field(key, fields[key])

    def _suspicious(self, record: logging.LogRecord) -> bool:
        redact = self.redactor
        texts = [record.msg]
        fields = record.__dict__
        for key in fields:
            if key in _NOT_EXTRA:
                continue
            value = fields[key]
            if redact.secret_key(key) or not isinstance(value, _PLAIN):
                return True  # a secret's name, or a structure: take the thorough path
            if isinstance(value, str):
                texts.append(value)
        return redact.suspicious("\n".join(texts))


_PLAIN = (str, int, float, bool, type(None))
_TRACEBACKS = logging.Formatter()


class _Clock:
    """Formats record timestamps, reusing the date-and-second part within the same second."""

    def __init__(self, convert: Callable[[float | None], time.struct_time], pattern: str) -> None:
        self._convert = convert
        self._pattern = pattern
        self._second = -1
        self._prefix = ""

    def __call__(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._prefix = time.strftime(self._pattern, self._convert(second))
            self._second = second
        return f"{self._prefix}.{int((created - second) * 1000):03d}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, ids, extra fields, exception."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = _Clock(time.gmtime, "%Y-%m-%dT%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        line: dict[str, Any] = {
            "timestamp": self._clock(record.created) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": fields.get("request_id"),
        }
        if "trace_id" in fields:
            line["trace_id"] = fields["trace_id"]
            line["span_id"] = fields.get("span_id")
        for key, value in fields.items():
            if key not in _NOT_EXTRA:
                line[key] = value
        line["pid"] = record.process
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return orjson.dumps(line, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class ConsoleFormatter(logging.Formatter):
    """``12:00:00.123 INFO  logger: message  key=value request_id=...`` for people at a terminal."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = _Clock(time.localtime, "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        line = f"{self._clock(record.created)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        pairs = [f"{key}={value}" for key, value in extra_fields(record).items()]
        pairs += [f"{key}={fields[key]}" for key in ("request_id", "trace_id") if fields.get(key)]
        if pairs:
            line += "  " + " ".join(pairs)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + record.stack_info
        return line


# Library loggers and the level they get: None follows the configured level. Statement logs of
# SQLAlchemy (INFO on its side) and per-request lines of httpx only show at DEBUG.
def _library_levels(level: int) -> dict[str, int | None]:
    verbose = level <= logging.DEBUG
    return {
        "uvicorn": None,
        "uvicorn.error": None,
        "alembic": None,
        # Seven "setup plugin ..." lines at INFO on every start, saying nothing to an operator.
        "alembic.runtime.plugins": logging.DEBUG if verbose else logging.WARNING,
        "sqlalchemy": logging.WARNING,
        "sqlalchemy.engine": logging.INFO if verbose else logging.WARNING,
        "httpx": logging.INFO if verbose else logging.WARNING,
        "httpcore": logging.INFO if verbose else logging.WARNING,
        "aiosqlite": logging.WARNING,
        "asyncio": logging.WARNING,
        "opentelemetry": None,
    }


def resolve_format(settings: Settings) -> LogFormat:
    """JSON in production, console elsewhere, unless TOTRACKIT_LOG_FORMAT says otherwise."""
    chosen = LogFormat(settings.observability.log_format)
    if chosen is not LogFormat.AUTO:
        return chosen
    return LogFormat.JSON if settings.env == "production" else LogFormat.CONSOLE


def secrets_of(settings: Settings) -> list[str]:
    """Every SecretStr value in the settings, nested ones included, plus the database password."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            found.append(secret)
            if secret.startswith(WEBHOOK_SECRET_PREFIX):
                found.append(secret.removeprefix(WEBHOOK_SECRET_PREFIX))  # the bare key
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(settings)
    password = settings.database.location.url.password  # also when given inside DATABASE_URL
    if password:
        found.append(str(password))
    return found


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> logging.Handler:
    """Route every logger of the process through one redacting handler in the chosen format."""
    level = logging.getLevelNamesMapping()[settings.observability.log_level]
    formatter = (
        JsonFormatter() if resolve_format(settings) is LogFormat.JSON else ConsoleFormatter()
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter(Redactor(secrets_of(settings)), verbose=level <= logging.DEBUG))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, library_level in _library_levels(level).items():
        _adopt(logging.getLogger(name), library_level)
    _install_once(logging.getLogger("uvicorn.error"), _RENAME_UVICORN)
    _install_once(logging.getLogger("alembic.runtime.migration"), _QuietMigrationContext(level))
    # We write our own access line per request; uvicorn's would be a second, unformatted one.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    logging.captureWarnings(True)
    # Fields nobody reads cost a lookup on every record (logging HOWTO, "Optimization").
    logging.logThreads = False
    logging.logMultiprocessing = False
    _log_uncaught_exceptions()
    return handler


class _Rename(logging.Filter):
    """uvicorn writes its start and stop lines, not only errors, to the logger "uvicorn.error"
    (a name kept for gunicorn); they read as errors there, so they are logged as "uvicorn"."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.new_name = name

    def filter(self, record: logging.LogRecord) -> bool:
        record.name = self.new_name
        return True


_RENAME_UVICORN = _Rename("uvicorn")


class _QuietMigrationContext(logging.Filter):
    """Alembic announces its dialect ("Context impl SQLiteImpl.", "Will assume ... DDL.") each
    time it opens a migration context; that says nothing to an operator, so only at DEBUG."""

    NOISE = ("Context impl ", "Will assume ")

    def __init__(self, level: int) -> None:
        super().__init__()
        self.verbose = level <= logging.DEBUG

    def filter(self, record: logging.LogRecord) -> bool:
        return self.verbose or not str(record.msg).startswith(self.NOISE)


def _install_once(logger: logging.Logger, installed: logging.Filter) -> None:
    for old in [f for f in logger.filters if type(f) is type(installed)]:
        logger.removeFilter(old)
    logger.addFilter(installed)


def _adopt(logger: logging.Logger, level: int | None) -> None:
    logger.handlers.clear()
    logger.propagate = True
    logger.disabled = False
    logger.setLevel(level if level is not None else logging.NOTSET)


def _log_uncaught_exceptions() -> None:
    crash = logging.getLogger("totrackit")

    def excepthook(
        kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, traceback)
            return
        crash.critical("Uncaught exception", exc_info=(kind, error, traceback))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        crash.critical(
            "Uncaught exception in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
