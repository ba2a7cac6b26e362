"""The backup file: one zip holding a manifest and each table as JSON Lines.

```
manifest.json              format version, schema revision, source backend, created at,
                           and per table: columns (name, kind), row count, SHA-256
tables/<table>.jsonl       one JSON array per row, columns in manifest order
```

Values are portable between the databases: instants as integer microseconds since the epoch
(``kind: timestamp``), JSON columns as JSON (``kind: json``), everything else as stored. The
zip is written as ``<path>.partial`` and renamed when complete, so a backup that failed leaves
no file that looks whole. Checksums cover the uncompressed table files.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

FORMAT = "totrackit-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class TableEntry:
    name: str
    columns: list[dict[str, str]]
    rows: int = 0
    sha256: str = ""

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"

    @property
    def column_names(self) -> list[str]:
        return [col["name"] for col in self.columns]

    @property
    def kinds(self) -> list[str]:
        return [col["kind"] for col in self.columns]


@dataclass
class Manifest:
    schema_revision: str | None
    source_backend: str
    created_at: str
    totrackit_version: str
    tables: list[TableEntry] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = orjson.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BadBackup("not a ToTrackIt backup (manifest.json has no totrackit format)")
        if raw.get("format_version", 0) > FORMAT_VERSION:
            raise BadBackup(
                f"backup format {raw['format_version']} is newer than this version reads "
                f"({FORMAT_VERSION}): restore it with the version that made it"
            )
        tables = [TableEntry(**entry) for entry in raw.pop("tables")]
        return cls(**raw, tables=tables)

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.tables)


class BadBackup(ValueError):
    """The file is not a complete, intact backup; the message says what is wrong."""


class Writer:
    """Writes one backup; ``table()`` streams a table's rows, ``close()`` adds the manifest."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path, self.manifest = path, manifest
        self._partial = path.with_name(path.name + ".partial")
        self._zip = zipfile.ZipFile(self._partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1)

    def table(self, entry: TableEntry) -> TableSink:
        self.manifest.tables.append(entry)
        return TableSink(entry, self._zip.open(entry.member, "w", force_zip64=True))

    def close(self) -> None:
        self._zip.writestr(MANIFEST, self.manifest.to_json())
        self._zip.close()
        os.replace(self._partial, self.path)

    def abort(self) -> None:
        self._zip.close()
        self._partial.unlink(missing_ok=True)


class TableSink:
    def __init__(self, entry: TableEntry, out: IO[bytes]) -> None:
        self.entry, self._out = entry, out
        self._digest = hashlib.sha256()
        self._buffer: list[bytes] = []

    def write(self, row: tuple[Any, ...] | list[Any]) -> None:
        self._buffer.append(orjson.dumps(row))
        self.entry.rows += 1
        if len(self._buffer) >= 1000:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            data = b"\n".join(self._buffer) + b"\n"
            self._digest.update(data)
            self._out.write(data)
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._out.close()
        self.entry.sha256 = self._digest.hexdigest()


class Reader:
    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
            self.manifest = Manifest.from_json(self._zip.read(MANIFEST))
        except FileNotFoundError:
            raise BadBackup(f"{path}: no such file") from None
        except (zipfile.BadZipFile, KeyError, TypeError, orjson.JSONDecodeError) as exc:
            raise BadBackup(f"{path} is not a complete ToTrackIt backup ({exc})") from None

    def verify(self, on_rows: Any = None) -> None:
        """Read every table once, checking its checksum and row count against the manifest."""
        for entry in self.manifest.tables:
            digest, rows = hashlib.sha256(), 0
            try:
                with self._zip.open(entry.member) as member:
                    while block := member.read(1 << 20):
                        digest.update(block)
                        count = block.count(b"\n")
                        rows += count
                        if on_rows:
                            on_rows(count)
            except (KeyError, zipfile.BadZipFile, OSError) as exc:
                raise BadBackup(f"{entry.member} cannot be read: {exc}") from None
            if digest.hexdigest() != entry.sha256 or rows != entry.rows:
                raise BadBackup(
                    f"{entry.member} does not match its checksum in the manifest: "
                    "the file is damaged; nothing was restored"
                )

    def rows(self, entry: TableEntry) -> Iterator[list[Any]]:
        with self._zip.open(entry.member) as member:
            for line in member:
                yield orjson.loads(line)

    def close(self) -> None:
        self._zip.close()
