"""Exporting and importing runs as JSON Lines (the format is in ``transfer.wire``).

An import runs in one transaction: lines are validated and inserted batch by batch, so memory
stays constant however large the file; when a line is rejected, the rest is still read (every
problem is reported at once) but nothing more is inserted and the transaction is rolled back,
unless ``skip_invalid`` asks to keep the valid lines. Runs already present (same name, id and
start second) are skipped, so importing a file twice changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from totrackit.clock import Clock
from totrackit.db import dialect
from totrackit.db.types import to_micros
from totrackit.processes.rules import Status, warning_point
from totrackit.transfer import repository, wire
from totrackit.transfer.progress import Progress
from totrackit.transfer.wire import InvalidLine, RunRecord, UnreadableFile

#: Lines inserted per statement pair; bounded by the bind-parameter limits of both databases.
BATCH = 2000
#: Rejected lines kept with their reason (all are counted).
MAX_REPORTED = 1000

Parsed = tuple[int, RunRecord | InvalidLine]
Parser = Callable[[AsyncIterable[bytes]], AsyncIterator[Parsed]]


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    applied: bool = False
    unreadable: bool = False
    problems: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append((line, reason))


async def export_runs(db: AsyncEngine, out: IO[bytes], *, clock: Clock, progress: Progress) -> int:
    """Write every run as one JSON line, from one consistent snapshot; returns the count."""
    async with db.connect() as conn:
        await dialect.begin_snapshot(conn)
        progress.total = await repository.count_runs(conn)
        now = clock.now()
        async for run in repository.stream_runs(conn):
            out.write(wire.encode(run, now))
            progress.advance()
        await conn.rollback()
    progress.finish()
    return progress.count


async def import_runs(
    db: AsyncEngine,
    lines: AsyncIterable[Parsed],
    *,
    skip_invalid: bool,
    warning_threshold: float,
    progress: Progress,
) -> ImportReport:
    report = ImportReport()
    async with db.connect() as conn, conn.begin() as transaction:
        batch: list[tuple[int, RunRecord]] = []
        async for number, item in lines:
            report.read += 1
            progress.advance()
            if isinstance(item, InvalidLine):
                report.reject(number, str(item))
                report.unreadable |= isinstance(item, UnreadableFile)
            elif skip_invalid or not report.rejected:
                batch.append((number, item))
            if len(batch) >= BATCH:
                await _apply(conn, batch, report, warning_threshold, skip_invalid)
                batch = []
        await _apply(conn, batch, report, warning_threshold, skip_invalid)
        report.applied = (skip_invalid and not report.unreadable) or not report.rejected
        if not report.applied:
            await transaction.rollback()
    progress.finish()
    return report


async def _apply(
    conn: AsyncConnection,
    batch: list[tuple[int, RunRecord]],
    report: ImportReport,
    threshold: float,
    skip_invalid: bool,
) -> None:
    if not batch:
        return
    present = await repository.present_runs(conn, ((r.name, r.process_id) for _, r in batch))
    known = {(name, pid, int(started.timestamp())) for name, pid, started, _ in present}
    active = {(name, pid) for name, pid, _, status in present if status == Status.ACTIVE.value}
    rows = []
    for number, record in batch:
        if record.identity in known:
            report.skipped += 1
            continue
        if record.status is Status.ACTIVE and (record.name, record.process_id) in active:
            report.reject(
                number,
                f"an ACTIVE run {record.name}/{record.process_id} already exists "
                "(one ACTIVE run per name and id)",
            )
            continue
        known.add(record.identity)
        if record.status is Status.ACTIVE:
            active.add((record.name, record.process_id))
        rows.append(_row(record, threshold))
    if report.rejected and not skip_invalid:
        return  # nothing will be applied: keep validating, stop writing
    await repository.insert_runs(conn, rows)
    report.imported += len(rows)


def _row(record: RunRecord, threshold: float) -> dict[str, Any]:
    """The ``processes`` row, instants as microseconds (the repository's bulk format)."""
    finished = _micros(record.completed_at)
    started = to_micros(record.started_at)
    return {
        "process_id": record.process_id,
        "name": record.name,
        "status": record.status.value,
        "started_at": started,
        "completed_at": finished,
        "deadline": _micros(record.deadline),
        "tags": record.tags or None,
        "context": record.context or None,
        "warning_due_at": _micros(
            warning_point(
                started_at=record.started_at, deadline=record.deadline, threshold=threshold
            )
        ),
        "deadline_warned_at": None,
        "deadline_notified_at": None,
        "namespace_id": None,
        "created_at": started,
        "updated_at": finished or started,
    }


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(moment)


async def parse_jsonl(chunks: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[Parsed]:
    """Numbered, validated lines from a byte stream cut anywhere (blank lines are skipped)."""
    number, pending = 0, b""
    async for chunk in _aiter(chunks):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            number += 1
            if line.strip():
                yield number, _decoded(line)
    if pending.strip():
        yield number + 1, _decoded(pending)


def _decoded(line: bytes) -> RunRecord | InvalidLine:
    try:
        return wire.decode(line)
    except InvalidLine as problem:
        return problem


async def _aiter(chunks: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(chunks, AsyncIterable):
        async for chunk in chunks:
            yield chunk
    else:
        for chunk in chunks:
            yield chunk


async def parse_csv(chunks: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[Parsed]:
    """Numbered, validated rows of a CSV upload: a header naming ``wire.CSV_HEADER`` columns
    (``name``, ``id``, ``status`` and ``started_at`` required, any order), then one run per
    line. Cells are not split across lines, so a streamed upload is read line by line."""
    header: list[str] | None = None
    async for number, text in _text_lines(chunks):
        if isinstance(text, InvalidLine):
            yield number, text
            continue
        if not text.strip():
            continue
        try:
            (cells,) = list(csv.reader([text])) or [[]]
        except csv.Error:  # a bare carriage return inside a line, for one
            unreadable = UnreadableFile if header is None else InvalidLine
            yield number, unreadable("not CSV: a carriage return outside quotes")
            if header is None:
                return
            continue
        if header is None:
            header = [cell.strip().lower() for cell in cells]
            missing = [col for col in wire.CSV_REQUIRED if col not in header]
            if missing:
                yield (
                    number,
                    UnreadableFile(
                        f"the header must name the columns {', '.join(wire.CSV_HEADER)} "
                        f"(missing: {', '.join(missing)})"
                    ),
                )
                return
            continue
        if len(cells) != len(header):
            yield number, InvalidLine(f"expected {len(header)} cells, found {len(cells)}")
            continue
        try:
            yield number, wire.from_csv_row(dict(zip(header, cells, strict=True)))
        except InvalidLine as problem:
            yield number, problem


async def _text_lines(
    chunks: AsyncIterable[bytes] | Iterable[bytes],
) -> AsyncIterator[tuple[int, Any]]:
    number, pending = 0, b""
    async for chunk in _aiter(chunks):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            number += 1
            yield number, _text(raw)
    if pending:
        yield number + 1, _text(pending)


def _text(raw: bytes) -> str | InvalidLine:
    try:
        return raw.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return InvalidLine("not UTF-8 text")
