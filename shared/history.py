"""History: every create, update and delete of a tracked record keeps who, when, and what.

It is recorded by the session itself after each flush, so no service can forget to call it.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Integer,
    String,
    Table,
    and_,
    cast,
    event,
    func,
    inspect,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from shared.db import Tracked
from shared.errors import NotFound, Unprocessable
from shared.pagination import Page, PageParams
from shared.requestid import current_request_id
from shared.types import UTCDateTime, utcnow

HISTORY_TABLE = "history_entry"
ACTOR_KEY = "actor"
SYSTEM_ACTOR = ("system", "System")
_NOT_HISTORY = {"created_at", "updated_at"}


class HistoryEntryColumns:
    """The columns of a service's `history_entry` table; each service maps it on its own Base."""

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(200))
    actor_name: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    public: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The writing transaction's id on PostgreSQL (0 on SQLite, which has one writer at a time): the
    # change feed orders by (tx, id) and waits for transactions still running, so it never skips one.
    tx: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), default=0, server_default=text("0"), index=True
    )


class HistoryEntryRead(BaseModel):
    """One change to a record: who made it, when, and the values before and after."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    entity: str
    entity_id: str
    action: Literal["create", "update", "delete"]
    version: int | None
    actor: str
    actor_name: str
    request_id: str | None
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def set_actor(session: AsyncSession | Session, subject: str, name: str) -> None:
    session.info[ACTOR_KEY] = (subject, name)


_PLAIN = frozenset({str, int, bool, type(None)})


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most columns; checked first because bulk imports call this per cell
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _column_values(obj: Tracked, *, old: bool = False) -> dict[str, Any]:
    state = inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _NOT_HISTORY:
            continue
        current = state.dict.get(key)
        if old:
            hist = state.attrs[key].history
            if hist.deleted:
                current = hist.deleted[0]
            elif key == "version" and isinstance(current, int):
                current -= 1  # the mapper bumps the version itself, outside attribute history
        values[key] = _jsonable(current)
    return values


def _changed(obj: Tracked) -> bool:
    state = inspect(obj)
    return any(
        state.attrs[a.key].history.has_changes()
        for a in state.mapper.column_attrs
        if a.key not in _NOT_HISTORY and a.key != "version"
    )


def _entry(
    obj: Tracked | type[Tracked],
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: tuple[str, str],
) -> dict[str, Any]:
    state = after if after is not None else before
    assert state is not None
    return {
        "public": state.get("status") not in obj.__draft_states__,
        "entity": obj.__tablename__,  # type: ignore[union-attr]
        "entity_id": str(state["id"]),
        "action": action,
        "version": state.get("version"),
        "actor": actor[0],
        "actor_name": actor[1],
        "request_id": current_request_id(),
        "at": utcnow(),
        "before": before,
        "after": after,
    }


def _record_flush(session: Session, _: UOWTransaction) -> None:
    actor = session.info.get(ACTOR_KEY, SYSTEM_ACTOR)
    rows: dict[Table, list[dict[str, Any]]] = {}

    def add(obj: object, action: str) -> None:
        if not isinstance(obj, Tracked):
            return
        if action == "create":
            entry = _entry(obj, action, None, _column_values(obj), actor)
        elif action == "update":
            if not _changed(obj):
                return
            entry = _entry(obj, action, _column_values(obj, old=True), _column_values(obj), actor)
        else:
            entry = _entry(obj, action, _column_values(obj), None, actor)
        table = obj.__table__.metadata.tables[HISTORY_TABLE]  # type: ignore[attr-defined]
        rows.setdefault(table, []).append(entry)

    for obj in session.new:
        add(obj, "create")
    for obj in session.dirty:
        add(obj, "update")
    for obj in session.deleted:
        add(obj, "delete")
    for table, entries in rows.items():
        connection = session.connection()
        connection.execute(_history_insert(table, connection.dialect), entries)


def _current_tx(dialect: Dialect) -> ColumnElement[int] | int:
    if dialect.name == "postgresql":
        return cast(cast(func.pg_current_xact_id(), String), BigInteger)
    return 0


def _history_insert(table: Table, dialect: Dialect) -> Any:
    """An INSERT of history entries stamped with the writing transaction."""
    return table.insert().values(tx=_current_tx(dialect))


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    remaining = iter(rows)
    while batch := list(islice(remaining, size)):
        yield batch


async def insert_tracked(
    session: AsyncSession, model: type[Tracked], rows: Iterable[dict[str, Any]], *, chunk: int = 5_000
) -> int:
    """Create many records at once, with the history the session would write for each.

    For bulk imports: building an ORM object per row costs about ten times as much. Each row gets
    an id, version 1 and timestamps; history holds every column, as for a record made one by one.
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    history = table.metadata.tables[HISTORY_TABLE]
    actor = session.info.get(ACTOR_KEY, SYSTEM_ACTOR)
    columns = [c.key for c in table.columns if c.key not in _NOT_HISTORY]
    now, count = utcnow(), 0
    for batch in _batches(rows, chunk):
        full = [{"id": uuid.uuid4(), **row, "version": 1, "created_at": now, "updated_at": now} for row in batch]
        await session.execute(table.insert(), full)
        entries = [_entry(model, "create", None, {k: _jsonable(r.get(k)) for k in columns}, actor) for r in full]
        await session.execute(_history_insert(history, (await session.connection()).dialect), entries)
        count += len(full)
    return count


class HistorySession(Session):
    """The session class every service uses: it writes history after each flush."""


event.listen(HistorySession, "after_flush", _record_flush)


def _redacted(entry: HistoryEntryRead, draft_states: frozenset[str]) -> HistoryEntryRead:
    if entry.before is not None and entry.before.get("status") in draft_states:
        return entry.model_copy(update={"before": None})
    return entry


async def read_history(
    session: AsyncSession,
    history_model: type[Any],
    record: Tracked,
    page: PageParams,
    *,
    public_only: bool = False,
) -> Page[HistoryEntryRead]:
    """The changes to one record, oldest first.

    With `public_only` (a caller who may not read the record's drafts), the changes made while it
    was a draft are left out, and so are the draft values before the change that decided it.
    """
    where = [history_model.entity == record.__tablename__, history_model.entity_id == str(record.id)]  # type: ignore[attr-defined]
    if public_only:
        where.append(history_model.public.is_(True))
    found = await read_history_where(session, history_model, where, page)
    if public_only:
        found.items = [_redacted(e, record.__draft_states__) for e in found.items]
    return found


async def read_history_where(
    session: AsyncSession, history_model: type[Any], where: list[ColumnElement[bool]], page: PageParams
) -> Page[HistoryEntryRead]:
    """The changes matching `where`, oldest first."""
    total = await session.scalar(select(func.count()).select_from(history_model).where(*where))
    rows = await session.scalars(
        select(history_model).where(*where).order_by(history_model.id).limit(page.limit).offset(page.offset)
    )
    return Page[HistoryEntryRead](
        items=[HistoryEntryRead.model_validate(r) for r in rows],
        total=total or 0,
        limit=page.limit,
        offset=page.offset,
    )


async def read_place_history(
    session: AsyncSession, history_model: type[Any], entity: str, page: PageParams, **place: uuid.UUID | int
) -> Page[HistoryEntryRead]:
    """The history of a child record known by its place (a grant's use in a year) rather than by its id: every
    record that held the place, those a replacement deleted too, found by the values kept before or after; 404
    when nothing ever did."""

    def held(values: Any) -> ColumnElement[bool]:
        return and_(
            *(
                values[key].as_integer() == value if isinstance(value, int) else values[key].as_string() == str(value)
                for key, value in place.items()
            )
        )

    where = [history_model.entity == entity, or_(held(history_model.after), held(history_model.before))]
    found = await read_history_where(session, history_model, where, page)
    if not found.total:
        raise NotFound(f"No {entity.replace('_', ' ')} at {', '.join(f'{k} {v}' for k, v in place.items())}")
    return found


MAX_BIGINT = 2**63 - 1
# ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
_CURSOR = re.compile(r"(?P<tx>[0-9]{1,19})\.(?P<id>[0-9]{1,19})")


class ChangeCursor(BaseModel):
    """Where a reader of the change feed stands: after the change (tx, id)."""

    tx: int = 0
    id: int = 0

    def encode(self) -> str:
        return f"{self.tx}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> ChangeCursor:
        if not text:
            return cls()
        found = _CURSOR.fullmatch(text)
        # Both parts are BIGINT columns: a larger number is no cursor the feed ever gave, and the
        # database would refuse to compare with it (a 500) rather than answer.
        if found is None or max(int(found["tx"]), int(found["id"])) > MAX_BIGINT:
            raise Unprocessable("`after` is a cursor from an earlier answer's `next`", field="after")
        return cls(tx=int(found["tx"]), id=int(found["id"]))


class ChangePage(BaseModel):
    """Changes after a cursor, oldest first; ask again with `after=next` for the ones after these."""

    items: list[HistoryEntryRead]
    next: str
    limit: int


def _settled_tx(dialect: Dialect) -> ColumnElement[int] | None:
    """Transactions below this id have all ended; newer ones may still commit changes the feed must not skip."""
    if dialect.name == "postgresql":
        return cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), String), BigInteger)
    return None  # SQLite writes one transaction at a time, so ids follow commit order


async def read_changes(session: AsyncSession, history_model: type[Any], after: ChangeCursor, limit: int) -> ChangePage:
    """Every change after `after`, in the order they can no longer be preceded by another."""
    where = [tuple_(history_model.tx, history_model.id) > tuple_(after.tx, after.id)]
    settled = _settled_tx((await session.connection()).dialect)
    if settled is not None:
        where.append(history_model.tx < settled)
    rows = list(
        await session.scalars(
            select(history_model).where(*where).order_by(history_model.tx, history_model.id).limit(limit)
        )
    )
    last = ChangeCursor(tx=rows[-1].tx, id=rows[-1].id) if rows else after
    entries = [HistoryEntryRead.model_validate(r) for r in rows]
    return ChangePage(items=entries, next=last.encode(), limit=limit)


class ChangeHead(BaseModel):
    """The newest settled position of the change feed: `after=position` would answer only later changes."""

    position: str


async def read_change_head(session: AsyncSession, history_model: type[Any]) -> ChangeHead:
    """The position of the last change no older transaction can still precede."""
    stmt = select(history_model.tx, history_model.id).order_by(history_model.tx.desc(), history_model.id.desc())
    settled = _settled_tx((await session.connection()).dialect)
    if settled is not None:
        stmt = stmt.where(history_model.tx < settled)
    row = (await session.execute(stmt.limit(1))).first()
    return ChangeHead(position=ChangeCursor(tx=row[0], id=row[1]).encode() if row else ChangeCursor().encode())
