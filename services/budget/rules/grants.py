"""Rules of targeted state grants: the goals each serves (checked with the goals service), use, summary."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import GrantGoalLink, GrantUse, StateGrant
from services.budget.schemas import (
    GoalLinkIn,
    GoalLinkRead,
    GrantCreate,
    GrantRead,
    GrantSummary,
    GrantSummaryRow,
    GrantUpdate,
    GrantUseIn,
    GrantUseRead,
)
from shared.asof import period_end
from shared.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from shared.pagination import Page, PageParams
from shared.peers import Peer
from shared.types import Money

ZERO = Decimal("0.00")


def grant_read(grant: StateGrant, links: list[GrantGoalLink], uses: list[GrantUse]) -> GrantRead:
    return GrantRead(
        id=grant.id,
        name=grant.name,
        grantor=grant.grantor,
        first_year=grant.first_year,
        last_year=grant.last_year,
        amount=grant.amount,
        coordinator_unit=grant.coordinator_unit,
        coordinator=grant.coordinator,
        coordinator_subject=grant.coordinator_subject,
        coordinator_name=grant.coordinator_name,
        reporting_deadline=grant.reporting_deadline,
        effect_reported=grant.effect_reported,
        indicator_ids=[uuid.UUID(i) for i in grant.indicator_ids],
        goals=[GoalLinkRead.model_validate(link) for link in links],
        has_goal=bool(links),
        used=[GrantUseRead.model_validate(u) for u in sorted(uses, key=lambda u: u.year)],
        used_total=sum((u.used for u in uses), ZERO),
        version=grant.version,
        updated_at=grant.updated_at,
    )


def _as_stored(ids: list[uuid.UUID]) -> list[str]:
    """Linked ids as kept: each once, in the order sent."""
    return [str(i) for i in dict.fromkeys(ids)]


async def create_grant(session: AsyncSession, data: GrantCreate) -> StateGrant:
    grant = StateGrant(**data.model_dump(exclude={"indicator_ids"}), indicator_ids=_as_stored(data.indicator_ids))
    session.add(grant)
    await session.flush()
    return grant


async def get_grant(session: AsyncSession, grant_id: uuid.UUID) -> StateGrant:
    grant = await session.get(StateGrant, grant_id)
    if grant is None:
        raise NotFound(f"No state grant {grant_id}")
    return grant


async def grant_parts(session: AsyncSession, grant_id: uuid.UUID) -> tuple[list[GrantGoalLink], list[GrantUse]]:
    links = await session.scalars(
        select(GrantGoalLink).where(GrantGoalLink.grant_id == grant_id).order_by(GrantGoalLink.created_at)
    )
    uses = await session.scalars(select(GrantUse).where(GrantUse.grant_id == grant_id))
    return list(links), list(uses)


async def read_grant(session: AsyncSession, grant: StateGrant) -> GrantRead:
    return grant_read(grant, *await grant_parts(session, grant.id))


# Fields a PATCH may empty with null; the others a grant always has.
EMPTIABLE = {"reporting_deadline", "effect_reported", "coordinator_subject", "coordinator_name"}


async def update_grant(session: AsyncSession, grant: StateGrant, data: GrantUpdate) -> None:
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field not in EMPTIABLE:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(grant, field, _as_stored(data.indicator_ids or []) if field == "indicator_ids" else value)
    await session.flush()


async def link_goal(session: AsyncSession, goals: Peer, grant: StateGrant, data: GoalLinkIn) -> GrantGoalLink:
    """Link a goal the goals service shows the caller; one it does not know (or hides) is a 422."""
    exists = await session.scalar(
        select(GrantGoalLink.id).where(GrantGoalLink.grant_id == grant.id, GrantGoalLink.goal_id == data.goal_id)
    )
    if exists is not None:
        raise Conflict("The grant is linked to that goal already", field="goal_id")
    if not await goals.exists(f"/goals/{data.goal_id}"):
        raise Unprocessable(f"The goals service has no goal {data.goal_id}", field="goal_id")
    link = GrantGoalLink(grant_id=grant.id, goal_id=data.goal_id, how=data.how)
    session.add(link)
    await session.flush()
    return link


async def get_link(session: AsyncSession, grant: StateGrant, link_id: uuid.UUID) -> GrantGoalLink:
    link = await session.get(GrantGoalLink, link_id)
    if link is None or link.grant_id != grant.id:
        raise NotFound(f"No goal link {link_id} on this grant")
    return link


async def unlink_goal(session: AsyncSession, link: GrantGoalLink) -> None:
    await session.delete(link)
    await session.flush()


async def _goal_ids_by_title(goals: Peer, unit_code: str) -> dict[str, uuid.UUID]:
    response = await goals.get(f"/goals?unit={unit_code}&limit=500")
    if response.status_code != 200:
        raise ServiceUnavailable(
            f"The goals service answered {response.status_code} when listing goals", service="goals"
        )
    items: list[dict[str, Any]] = response.json()["items"]
    return {item["title"]: uuid.UUID(item["id"]) for item in items}


async def resolve_links(session: AsyncSession, goals: Peer, grant: StateGrant) -> int:
    """Fill in the goal id of links made by unit and title (the demo's), asking the goals service."""
    pending = list(
        await session.scalars(
            select(GrantGoalLink).where(GrantGoalLink.grant_id == grant.id, GrantGoalLink.goal_id.is_(None))
        )
    )
    linked = set(
        await session.scalars(
            select(GrantGoalLink.goal_id).where(GrantGoalLink.grant_id == grant.id, GrantGoalLink.goal_id.is_not(None))
        )
    )
    resolved = 0
    by_unit: dict[str, dict[str, uuid.UUID]] = {}
    for link in pending:
        if link.goal_unit is None or link.goal_title is None:
            continue
        if link.goal_unit not in by_unit:
            by_unit[link.goal_unit] = await _goal_ids_by_title(goals, link.goal_unit)
        goal_id = by_unit[link.goal_unit].get(link.goal_title)
        if goal_id in linked:
            raise Conflict(
                f"The link to {link.goal_title!r} ({link.goal_unit}) names goal {goal_id}, which the grant "
                f"is linked to already; remove one of the two links first",
                field="goals",
            )
        if goal_id is not None:
            link.goal_id = goal_id
            linked.add(goal_id)
            resolved += 1
    await session.flush()
    return resolved


async def record_use(
    session: AsyncSession, grant: StateGrant, year: int, data: GrantUseIn, existing: GrantUse | None
) -> GrantUse:
    if not grant.first_year <= year <= grant.last_year:
        raise Unprocessable(f"The grant runs {grant.first_year}–{grant.last_year}, not {year}", field="year")
    use = existing or GrantUse(grant_id=grant.id, year=year, indicator_ids=[])
    use.used = data.used
    if data.indicator_ids is not None:
        use.indicator_ids = _as_stored(data.indicator_ids)
    if existing is None:
        session.add(use)
    await session.flush()
    return use


async def find_use(session: AsyncSession, grant_id: uuid.UUID, year: int) -> GrantUse | None:
    return await session.scalar(select(GrantUse).where(GrantUse.grant_id == grant_id, GrantUse.year == year))


def _link_count() -> Any:
    return (
        select(func.count(GrantGoalLink.id))
        .where(GrantGoalLink.grant_id == StateGrant.id)
        .correlate(StateGrant)
        .scalar_subquery()
    )


def _used_total(year: int | None = None, *, through_year: int | None = None) -> Any:
    where = [GrantUse.grant_id == StateGrant.id]
    if year is not None:
        where.append(GrantUse.year == year)
    if through_year is not None:
        where.append(GrantUse.year <= through_year)
    return type_coerce(
        select(func.coalesce(func.sum(GrantUse.used), 0)).where(*where).correlate(StateGrant).scalar_subquery(),
        Money(),
    )


async def list_grants(
    session: AsyncSession, page: PageParams, *, year: int | None, without_goal: bool
) -> Page[GrantRead]:
    """A page of grants with their links and use: three statements whatever the page holds."""
    stmt = select(StateGrant).order_by(StateGrant.first_year, StateGrant.name, StateGrant.id)
    if year is not None:
        stmt = stmt.where(StateGrant.first_year <= year, StateGrant.last_year >= year)
    if without_goal:
        stmt = stmt.where(_link_count() == 0)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    grants = list(await session.scalars(stmt.limit(page.limit).offset(page.offset)))
    ids = [g.id for g in grants]
    links: dict[uuid.UUID, list[GrantGoalLink]] = {i: [] for i in ids}
    uses: dict[uuid.UUID, list[GrantUse]] = {i: [] for i in ids}
    if ids:
        for link in await session.scalars(
            select(GrantGoalLink).where(GrantGoalLink.grant_id.in_(ids)).order_by(GrantGoalLink.created_at)
        ):
            links[link.grant_id].append(link)
        for use in await session.scalars(select(GrantUse).where(GrantUse.grant_id.in_(ids))):
            uses[use.grant_id].append(use)
    return Page[GrantRead](
        items=[grant_read(g, links[g.id], uses[g.id]) for g in grants],
        total=total or 0,
        limit=page.limit,
        offset=page.offset,
    )


def _last_year_ended(as_of: date) -> int:
    return as_of.year if as_of == period_end(as_of.year, "year") else as_of.year - 1


async def grant_summary(session: AsyncSession, year: int, as_of: date) -> GrantSummary:
    """Every grant running in `year`, with link counts and use, in one statement.

    A grant's use is kept per year and known when the year has ended, so as at `as_of` only the uses of
    the years ended by then count; the use of a year still running is unknown (null), not zero."""
    through_year = _last_year_ended(as_of)
    rows = (
        await session.execute(
            select(
                StateGrant.id,
                StateGrant.name,
                StateGrant.grantor,
                StateGrant.amount,
                _used_total(through_year=through_year),
                _used_total(year),
                _link_count(),
                StateGrant.reporting_deadline,
            )
            .where(StateGrant.first_year <= year, StateGrant.last_year >= year)
            .order_by(StateGrant.name)
        )
    ).all()
    summary = [
        GrantSummaryRow(
            id=r[0], name=r[1], grantor=r[2], amount=r[3], used_total=r[4], goals=r[6], reporting_deadline=r[7]
        )
        for r in rows
    ]
    return GrantSummary(
        year=year,
        as_of=as_of,
        grants=len(summary),
        amount=sum((r.amount for r in summary), ZERO),
        used_in_year=sum((r[5] for r in rows), ZERO) if year <= through_year else None,
        without_goal=[r for r in summary if r.goals == 0],
        rows=summary,
    )
