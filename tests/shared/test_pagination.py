"""A page and the count of the whole list come from one statement; a page past the end still counts."""

from sqlalchemy import Column, Integer, MetaData, String, Table, event, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from shared.pagination import PageParams, paginate

metadata = MetaData()
thing = Table("thing", metadata, Column("id", Integer, primary_key=True), Column("name", String(10)))


async def _listed(page: PageParams) -> tuple[list[tuple[int, str]], int, int]:
    engine = create_async_engine("sqlite+aiosqlite://")
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(thing.insert(), [{"id": n, "name": f"t{n}"} for n in range(1, 8)])
    statements.clear()
    async with AsyncSession(engine) as session:
        found = await paginate(session, select(thing.c.id, thing.c.name).order_by(thing.c.id), page, tuple)
    await engine.dispose()
    return found.items, found.total, len(statements)


async def test_a_page_and_its_total_are_one_statement():
    items, total, statements = await _listed(PageParams(limit=3, offset=2))
    assert (items, total, statements) == ([(3, "t3"), (4, "t4"), (5, "t5")], 7, 1)


async def test_a_page_past_the_end_is_empty_and_still_counts_the_list():
    items, total, _ = await _listed(PageParams(limit=3, offset=20))
    assert (items, total) == ([], 7)
