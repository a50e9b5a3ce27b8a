"""Statements built once: what every service's hot reads share (issue 17).

Building a SQLAlchemy statement (its joins, aliases and column collections) and computing its cache key cost
more than running it on a read model's few hundred rows. A statement that depends only on the shape of the
question (which filters are given, the shape of the caller's roles: shared/auth/guard.Visibility.narrow) is
built once, its values sent as bind parameters; and a statement derived from such a statement is built once too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Executable, Result, Select
from sqlalchemy.ext.asyncio import AsyncSession

F = TypeVar("F", bound=Callable[..., Any])
# A select of any columns, as the functions building statements once return them.
AnySelect = Select[*tuple[Any, ...]]

DERIVED_KEPT = 512


def derived(build: F) -> F:
    """`build`, a function of statements (and other hashable values), remembered by its arguments' identity.

    Bounded: a caller may pass a statement built for a single request, which is then built again and only
    crowds the cache, never returns another statement's result."""
    return functools.lru_cache(maxsize=DERIVED_KEPT)(build)  # type: ignore[return-value]


async def read_rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Result[*tuple[Any, ...]]:
    """Plain rows of a statement of columns, run on the session's connection (in its transaction): the session's
    own execute sends every statement through the ORM's compile and loading steps, a fifth of the audit overview's
    CPU for rows that are never ORM objects."""
    connection = await session.connection()
    return await connection.execute(statement, dict(params or {}))
