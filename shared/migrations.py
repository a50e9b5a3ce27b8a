"""Alembic, one history per service: the env.py body they share and the calls that run it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import create_engine, is_sqlite


def alembic_config(service_dir: Path, url: str) -> Config:
    """The service's own alembic.ini, pointed at `url`."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _configure_and_run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_env(metadata: MetaData) -> None:
    """The whole of each service's env.py: run online, on a given connection or a new async engine.

    From the alembic command line: `alembic -c services/goals/alembic.ini -x url=sqlite+aiosqlite:///x.db …`.
    """
    config = context.config
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    given: Connection | None = config.attributes.get("connection")
    if given is not None:
        _configure_and_run(given, metadata)
        return
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = create_async_engine(url or "", poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(_configure_and_run, metadata)
            await conn.commit()
        await engine.dispose()

    asyncio.run(run_async())


def _ensure_sqlite_folder(url: str) -> None:
    if is_sqlite(url) and ":memory:" not in url:
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)


async def migrate(service_dir: Path, url: str, revision: str = "head", *, down: bool = False) -> None:
    """Upgrade (or downgrade) a service's database from inside a running event loop."""
    _ensure_sqlite_folder(url)
    config = alembic_config(service_dir, url)
    engine = create_engine(url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()
