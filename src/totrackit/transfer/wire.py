"""The JSON Lines format of runs: one ``ProcessResponse`` body per line.

Export writes exactly what ``GET /processes/{name}/{id}`` answers (``ProcessRun.to_wire``), so
the format has one home; import reads the same lines back. ``deadline_status`` and ``duration``
are derived from the other fields and ignored on the way in. A CSV upload carries the same
fields under the header ``CSV_HEADER``, with ``tags`` and ``context`` as JSON text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from totrackit.processes.models import ProcessRun
from totrackit.processes.rules import Status
from totrackit.processes.schemas import (
    MAX_TAGS,
    NAME_PATTERN,
    NonBlank,
    Storable,
    Tag,
    _addressable,
    _storable_json,
)

CSV_HEADER = ("name", "id", "status", "started_at", "completed_at", "deadline", "tags", "context")
CSV_REQUIRED = ("name", "id", "status", "started_at")


class ImportedRun(BaseModel):
    """A run as it arrives in an import; the same limits as the API's create body."""

    model_config = ConfigDict(strict=True)

    id: Annotated[
        str, NonBlank, Storable, AfterValidator(_addressable), Field(min_length=3, max_length=50)
    ]
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN)]
    status: Annotated[Status, Field(strict=False)]
    started_at: int = Field(ge=0)
    completed_at: int | None = Field(None, ge=0)
    deadline: int | None = Field(None, gt=0)
    tags: list[Tag] | None = Field(None, max_length=MAX_TAGS)
    context: Annotated[dict[str, Any] | None, AfterValidator(_storable_json)] = None

    @model_validator(mode="after")
    def _finished_when_completed(self) -> ImportedRun:
        if self.status is Status.ACTIVE and self.completed_at is not None:
            raise ValueError("an ACTIVE run has no completed_at")
        if self.status is not Status.ACTIVE and self.completed_at is None:
            raise ValueError(f"a {self.status.value} run needs completed_at")
        if self.completed_at is not None and self.completed_at < self.started_at:
            raise ValueError("completed_at is before started_at")
        return self


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A validated imported run, in the types the repository stores."""

    name: str
    process_id: str
    status: Status
    started_at: datetime
    completed_at: datetime | None
    deadline: datetime | None
    tags: list[dict[str, str]]
    context: dict[str, Any]

    @property
    def identity(self) -> tuple[str, str, int]:
        """A run is already present when one with this name, id and start second exists."""
        return (self.name, self.process_id, int(self.started_at.timestamp()))


class InvalidLine(ValueError):
    """One line that cannot be imported; the message says why, naming the field."""


class UnreadableFile(InvalidLine):
    """A problem with the whole file (a CSV header without the required columns): nothing in
    it can be read, so it is refused even with ``--skip-invalid``."""


def encode(run: ProcessRun, now: datetime) -> bytes:
    return orjson.dumps(run.to_wire(now)) + b"\n"


def decode(line: bytes | str) -> RunRecord:
    """Parse and validate one JSON line; raises InvalidLine with the reason."""
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InvalidLine(f"not JSON: {exc}") from None
    return from_document(document)


def from_document(document: object) -> RunRecord:
    if not isinstance(document, dict):
        raise InvalidLine("expected a JSON object (one run per line)")
    try:
        run = ImportedRun.model_validate(document)
    except ValidationError as exc:
        raise InvalidLine(describe(exc)) from None
    return RunRecord(
        name=run.name,
        process_id=run.id,
        status=run.status,
        started_at=_instant(run.started_at, "started_at") or _EPOCH,
        completed_at=_instant(run.completed_at, "completed_at"),
        deadline=_instant(run.deadline, "deadline"),
        tags=[tag.model_dump() for tag in run.tags or []],
        context=run.context or {},
    )


def from_csv_row(row: dict[str, str | None]) -> RunRecord:
    """One CSV row under CSV_HEADER: numbers as digits, empty cells as null, JSON in tags/context."""
    document: dict[str, Any] = {}
    for field in CSV_HEADER:
        cell = (row.get(field) or "").strip()
        if not cell:
            continue
        if field in ("started_at", "completed_at", "deadline"):
            if not cell.isdigit():
                raise InvalidLine(f"{field}: expected Unix epoch seconds, got {cell[:40]!r}")
            document[field] = int(cell)
        elif field in ("tags", "context"):
            try:
                document[field] = orjson.loads(cell)
            except orjson.JSONDecodeError:
                raise InvalidLine(f"{field}: not JSON") from None
        else:
            document[field] = cell
    return from_document(document)


def describe(exc: ValidationError) -> str:
    """``field: reason`` for each problem, e.g. ``tags[0].key: String should have ...``."""
    parts = []
    for error in exc.errors(include_url=False):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where.lstrip('.')}: {message}" if where else message)
    return "; ".join(parts)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(seconds: int | None, field: str) -> datetime | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidLine(f"{field}: out of range") from None
