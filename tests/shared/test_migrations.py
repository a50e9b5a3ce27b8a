"""Each service's alembic history: upgrade to head, down to base and up again, and it matches the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from cli.registry import SERVICES
from shared.migrations import migrate
from tests.conftest import METADATA, new_database_url


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def _diff(url: str, name: str) -> list:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), METADATA[name])
        )
    await engine.dispose()
    return diff


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
async def test_upgrade_downgrade_upgrade(entry, tmp_path):
    url = await _new_url(entry.name, tmp_path)
    await migrate(entry.directory, url)
    expected = {t.name for t in METADATA[entry.name].sorted_tables}
    assert expected <= await _tables(url)
    assert await _diff(url, entry.name) == [], "the models and the migrations disagree"
    await migrate(entry.directory, url, "base", down=True)
    assert (await _tables(url)) - {"alembic_version"} == set()
    await migrate(entry.directory, url)
    assert expected <= await _tables(url)


async def _new_url(label: str, tmp_path) -> str:
    import asyncio

    return await asyncio.to_thread(new_database_url, f"mig_{label}", tmp_path)
