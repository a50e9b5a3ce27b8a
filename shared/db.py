"""Engines, sessions and the one transaction boundary every service uses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, ClassVar

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry

from shared.listing import SQLITE_FOLD_FUNCTION, fold
from shared.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """Each service's own metadata, with constraint names that alembic can rename and drop."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """A domain record: UUID id, a version for optimistic locking, timestamps, and history.

    `__draft_states__` names the values of a `status` column that make the record a draft, which
    is not public record: history written while it was one is shown only to those who read drafts.
    """

    __draft_states__: ClassVar[frozenset[str]] = frozenset()

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The UPDATE carries `WHERE version = <read version>`: a concurrent change makes it fail.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # SQLite's lower() folds ASCII only: a list's search (shared/listing.py) folds Å, Ä and Ö as well.
    dbapi_connection.create_function(SQLITE_FOLD_FUNCTION, 1, fold, deterministic=True)


# No pre-ping: on asyncpg it costs three round trips per checkout (BEGIN, a ping, ROLLBACK). A
# connection the server dropped fails its statement instead; SQLAlchemy then invalidates the whole
# pool, so every older connection is replaced on its next checkout, and the caller gets the 503
# problem to retry (shared/errors.py). Recycling bounds how long a connection lives.
POOL_RECYCLE_SECONDS = 1800


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=POOL_RECYCLE_SECONDS)


def read_only_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool in autocommit: a read of one statement needs no BEGIN and no COMMIT around it."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_sessionmaker(
    engine: AsyncEngine, session_class: type[Session] = Session
) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit, so responses can be built from them without reloading.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, sync_session_class=session_class)


async def database_reachable(engine: AsyncEngine | Engine) -> bool:
    assert isinstance(engine, AsyncEngine)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection for a route that only reads, outside any transaction (see read_only_engine)."""
    engine: AsyncEngine = request.app.state.read_engine
    async with engine.connect() as conn:
        yield conn


ReadConnection = Annotated[AsyncConnection, Depends(read_connection)]


@asynccontextmanager
async def session_scope(request: Request) -> AsyncIterator[AsyncSession]:
    """The transaction boundary: commit when the route succeeds, roll back at once when it raises."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
