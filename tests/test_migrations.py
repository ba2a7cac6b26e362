"""One migration tree: it builds the schema on both databases, reverts cleanly, and matches
the tables declared in code."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from totrackit.db import migrate
from totrackit.db.connect import make_db
from totrackit.db.tables import metadata
from totrackit.settings import Settings


async def table_names(db: AsyncEngine) -> set[str]:
    async with db.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_round_trip_upgrade_downgrade_upgrade(scratch_db: AsyncEngine) -> None:
    await migrate.upgrade(scratch_db)
    assert await migrate.current_revision(scratch_db) == migrate.head_revision()
    assert {"processes", "process_tags"} <= await table_names(scratch_db)

    await migrate.downgrade(scratch_db, "base")
    assert await migrate.current_revision(scratch_db) is None
    assert await table_names(scratch_db) <= {"alembic_version"}

    await migrate.upgrade(scratch_db)
    assert await migrate.current_revision(scratch_db) == migrate.head_revision()


async def test_upgrading_twice_is_harmless(scratch_db: AsyncEngine) -> None:
    await migrate.upgrade(scratch_db)
    await migrate.upgrade(scratch_db)

    assert await migrate.current_revision(scratch_db) == migrate.head_revision()


async def test_migrations_match_the_tables_in_code(migrated_db: AsyncEngine) -> None:
    assert await migrate.schema_drift(migrated_db) == []


async def test_every_index_in_code_exists_in_the_database(migrated_db: AsyncEngine) -> None:
    def index_names(sync: object) -> set[str]:
        inspector = inspect(sync)
        return {
            index["name"]
            for table in metadata.tables
            for index in inspector.get_indexes(table)
            if index["name"]
        }

    async with migrated_db.connect() as conn:
        present = await conn.run_sync(index_names)
    declared = {index.name for table in metadata.tables.values() for index in table.indexes}

    assert declared <= present


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_replicas_starting_together_migrate_exactly_once(
    scratch_db: AsyncEngine,
) -> None:
    replicas = [
        make_db(Settings(database_url=scratch_db.url.render_as_string(False)).database)
        for _ in range(5)
    ]
    try:
        await asyncio.gather(*(migrate.upgrade(db) for db in replicas))
    finally:
        for db in replicas:
            await db.dispose()

    assert await migrate.current_revision(scratch_db) == migrate.head_revision()
    async with scratch_db.connect() as conn:
        versions = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
    assert len(versions) == 1


async def test_the_drift_check_names_what_the_code_does_not_declare(
    scratch_db: AsyncEngine,
) -> None:
    await migrate.upgrade(scratch_db)
    assert await migrate.check(scratch_db) == []

    async with scratch_db.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE processes ADD COLUMN stray INTEGER")

    drift = await migrate.check(scratch_db)
    assert len(drift) == 1 and "stray" in str(drift[0])


async def test_the_drift_check_needs_a_database_at_head(scratch_db: AsyncEngine) -> None:
    with pytest.raises(migrate.NotAtHead, match="totrackit migrate upgrade"):
        await migrate.check(scratch_db)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_new_revision_follows_the_head_and_can_be_generated(
    scratch_db: AsyncEngine,
) -> None:
    await migrate.upgrade(scratch_db)
    async with scratch_db.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE processes ADD COLUMN stray INTEGER")
    head = migrate.head_revision()

    generated_path = await migrate.new_revision(scratch_db, "drop the stray column")
    generated = generated_path.read_text()
    generated_path.unlink()
    empty_path = await migrate.new_revision(None, "an empty step")
    empty = empty_path.read_text()
    empty_path.unlink()

    number = f"{int(head or 0) + 1:04d}"
    assert empty_path.name.endswith(f"_{number}_an_empty_step.py")
    assert (
        f"revision: str = '{number}'" in empty and f"down_revision: str | None = '{head}'" in empty
    )
    assert "drop_column('stray')" in generated
