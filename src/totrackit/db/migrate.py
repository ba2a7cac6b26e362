"""Applying, reverting and inspecting the schema migrations."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, column, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db import dialect
from totrackit.db.tables import metadata

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
logger = logging.getLogger(__name__)

# Every revision says which half of an expand/contract change it is (its module's ``phase``):
# "expand" only adds, so the previous release keeps working on the new schema; "contract"
# removes or changes what the previous release uses, and ships one release after the code that
# stopped using it (docs/architecture.md, "Changing the schema").
PHASES = ("expand", "contract")


def alembic_config(connection: Connection | None = None, phase: str = "expand") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    config.attributes["phase"] = phase  # written into new revisions by script.py.mako
    return config


def revisions() -> list[Script]:
    """Every revision shipped with this code, oldest first."""
    return list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))


@functools.cache
def head_revision() -> str | None:
    """The newest revision shipped with this code; it cannot change while the process runs,
    and reading it parses every migration file, so health probes must not do that each time."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(db: AsyncEngine, revision: str = "head") -> None:
    if revision == "head" and schema_state(await current_revision(db)) == AHEAD:
        logger.warning(AHEAD_MESSAGE, await current_revision(db), head_revision())
        return
    async with dialect.migrating(db) as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(db: AsyncEngine, revision: str) -> None:
    async with dialect.migrating(db) as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


# Alembic's bookkeeping table, read directly: a MigrationContext per health check would cost
# more and log its dialect lines every time.
VERSION_TABLE = table("alembic_version", column("version_num"))


async def current_revision(db: AsyncEngine) -> str | None:
    """The revision the database is at; None before the first migration."""

    def read(sync: Connection) -> str | None:
        if not sync.dialect.has_table(sync, VERSION_TABLE.name):
            return None
        return sync.execute(select(VERSION_TABLE.c.version_num)).scalar()

    async with db.connect() as conn:
        return await conn.run_sync(read)


async def schema_drift(db: AsyncEngine) -> list[object]:
    """Differences between the tables in code and the migrated database (empty when in sync)."""

    def compare(sync: Connection) -> list[object]:
        context = MigrationContext.configure(sync, opts=COMPARE_OPTIONS)
        return list(compare_metadata(context, metadata))

    async with db.connect() as conn:
        return await conn.run_sync(compare)


class NotAtHead(RuntimeError):
    """Comparing code with a database only means something once the database is at head."""


async def new_revision(db: AsyncEngine | None, message: str, phase: str = "expand") -> Path:
    """Write the next revision file, marked ``phase``; with ``db`` (a database at head) it holds
    the operations that bring the schema to the tables declared in ``db/tables.py``, otherwise
    it is empty."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
    number = f"{len(list((MIGRATIONS_DIR / 'versions').glob('*.py'))) + 1:04d}"
    if db is None:
        return _script_path(
            command.revision(alembic_config(phase=phase), message=message, rev_id=number)
        )
    await _require_head(db)
    async with db.connect() as conn:
        script = await conn.run_sync(
            lambda sync: command.revision(
                alembic_config(sync, phase), message=message, autogenerate=True, rev_id=number
            )
        )
    return _script_path(script)


async def _require_head(db: AsyncEngine) -> None:
    current, head = await current_revision(db), head_revision()
    if current != head:
        raise NotAtHead(
            f"the database is at revision {current or 'none'}, the code's head is {head}: "
            "run `totrackit migrate upgrade` on it first"
        )


def _script_path(script: object) -> Path:
    # command.revision returns one Script (or a list of them with several heads, which this
    # project never has: every revision follows the previous one).
    found = script[0] if isinstance(script, list) else script
    return Path(found.path)  # type: ignore[union-attr]


async def check(db: AsyncEngine) -> list[object]:
    """The drift between the code's tables and a database at head; raises NotAtHead otherwise."""
    await _require_head(db)
    return await schema_drift(db)


# Objects only the migrations create, on one backend, because SQLAlchemy cannot declare them
# portably (an expression GIN index over a SQL function on PostgreSQL).
MIGRATION_ONLY = {"ix_processes_tag_pairs"}


def _declared_in_code(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY)


# How migrations and the drift check compare tables: column types too, and without the
# objects only the migrations declare.
COMPARE_OPTIONS = {"compare_type": True, "include_object": _declared_in_code}


# A database migrated by a newer release (its revision is not one of ours) after a rollback.
# Its expand steps keep this release working (docs/releasing.md), so it is neither an error
# nor pending work: upgrading it is a no-op and health reports it as "ahead".
UP_TO_DATE, PENDING, AHEAD = "up-to-date", "pending", "ahead"
AHEAD_MESSAGE = (
    "The database is at revision %s, which a newer release applied (this one ends at %s): "
    "nothing to migrate. This release runs on it as the rollback rule requires (docs/releasing.md)."
)


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision shipped with this code."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return frozenset(script.revision for script in scripts)


def schema_state(current: str | None) -> str:
    """UP_TO_DATE, PENDING (this release has migrations to apply) or AHEAD (a newer release's)."""
    if current == head_revision():
        return UP_TO_DATE
    if current is not None and current not in known_revisions():
        return AHEAD
    return PENDING


def knows_revision(revision: str) -> bool:
    """Whether this code ships the migration ``revision`` (a backup's schema can be rebuilt)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown or malformed ids
        return False
