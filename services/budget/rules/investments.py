"""Rules of investments: the yearly frame, projects with ten-year plans, and the plan view."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    InvestmentCategory,
    InvestmentFrame,
    InvestmentProject,
    InvestmentYear,
    ProjectStatus,
)
from services.budget.schemas import (
    InvestmentCreate,
    InvestmentFrameCreate,
    InvestmentFrameUpdate,
    InvestmentPlanRead,
    InvestmentRead,
    InvestmentUpdate,
    InvestmentYearIn,
    InvestmentYearRead,
    PlanYear,
)
from shared.asof import period_end
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams
from shared.types import Money

ZERO = Decimal("0.00")


# --- the investment frame ----------------------------------------------------------------------


async def create_frame(session: AsyncSession, data: InvestmentFrameCreate) -> InvestmentFrame:
    if await session.scalar(select(InvestmentFrame.id).where(InvestmentFrame.year == data.year)) is not None:
        raise Conflict(f"There is an investment frame for {data.year} already; change that one", field="year")
    frame = InvestmentFrame(**data.model_dump())
    session.add(frame)
    await session.flush()
    return frame


async def get_frame(session: AsyncSession, year: int) -> InvestmentFrame:
    frame = await session.scalar(select(InvestmentFrame).where(InvestmentFrame.year == year))
    if frame is None:
        raise NotFound(f"No investment frame for {year}")
    return frame


async def list_frames(session: AsyncSession) -> list[InvestmentFrame]:
    return list(await session.scalars(select(InvestmentFrame).order_by(InvestmentFrame.year)))


async def update_frame(session: AsyncSession, frame: InvestmentFrame, data: InvestmentFrameUpdate) -> InvestmentFrame:
    changes = data.model_dump(exclude_unset=True)
    if "amount" in changes and changes["amount"] is None:
        raise Unprocessable("amount cannot be emptied", field="amount")
    for field, value in changes.items():
        setattr(frame, field, value)
    await session.flush()
    return frame


# --- projects ----------------------------------------------------------------------------------


def _ensure_plan_adds_up(total: Decimal, years: list[InvestmentYearIn]) -> None:
    planned = sum((y.planned for y in years), ZERO)
    if years and planned != total:
        raise Unprocessable(f"The yearly plan adds up to {planned}, the project's total is {total}", field="years")


def project_read(project: InvestmentProject, years: list[InvestmentYear]) -> InvestmentRead:
    plan = [InvestmentYearRead.model_validate(y) for y in sorted(years, key=lambda y: y.year)]
    return InvestmentRead(
        id=project.id,
        name=project.name,
        owner_unit=project.owner_unit,
        category=project.category,
        status=project.status,
        total=project.total,
        description=project.description,
        years=plan,
        first_year=plan[0].year if plan else None,
        last_year=plan[-1].year if plan else None,
        outcome_to_date=sum((y.outcome for y in plan), ZERO),
        version=project.version,
        updated_at=project.updated_at,
    )


async def create_project(
    session: AsyncSession, data: InvestmentCreate
) -> tuple[InvestmentProject, list[InvestmentYear]]:
    _ensure_plan_adds_up(data.total, data.years)
    project = InvestmentProject(**data.model_dump(exclude={"years"}), plan_revision=0)
    session.add(project)
    await session.flush()
    years = [InvestmentYear(project_id=project.id, **y.model_dump()) for y in data.years]
    session.add_all(years)
    await session.flush()
    return project, years


async def get_project(session: AsyncSession, project_id: uuid.UUID) -> InvestmentProject:
    project = await session.get(InvestmentProject, project_id)
    if project is None:
        raise NotFound(f"No investment project {project_id}")
    return project


async def project_years(session: AsyncSession, project_id: uuid.UUID) -> list[InvestmentYear]:
    return list(await session.scalars(select(InvestmentYear).where(InvestmentYear.project_id == project_id)))


async def update_project(session: AsyncSession, project: InvestmentProject, data: InvestmentUpdate) -> None:
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field != "description":
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(project, field, value)
    await session.flush()


async def replace_plan(
    session: AsyncSession, project: InvestmentProject, total: Decimal | None, years: list[InvestmentYearIn]
) -> list[InvestmentYear]:
    """A new yearly plan (and total) for the project; the old years are deleted, all kept in history."""
    new_total = total if total is not None else project.total
    _ensure_plan_adds_up(new_total, years)
    for old in await project_years(session, project.id):
        await session.delete(old)
    await session.flush()
    project.total = new_total
    project.plan_revision += 1
    fresh = [InvestmentYear(project_id=project.id, **y.model_dump()) for y in years]
    session.add_all(fresh)
    await session.flush()
    return fresh


async def list_projects(
    session: AsyncSession,
    page: PageParams,
    *,
    owner_unit: str | None,
    category: InvestmentCategory | None,
    status: ProjectStatus | None,
) -> Page[InvestmentRead]:
    """A page of projects with their years: two statements whatever the page holds."""
    stmt = select(InvestmentProject).order_by(
        InvestmentProject.owner_unit, InvestmentProject.name, InvestmentProject.id
    )
    for condition in (
        InvestmentProject.owner_unit == owner_unit if owner_unit else None,
        InvestmentProject.category == category if category else None,
        InvestmentProject.status == status if status else None,
    ):
        if condition is not None:
            stmt = stmt.where(condition)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    projects = list(await session.scalars(stmt.limit(page.limit).offset(page.offset)))
    years: dict[uuid.UUID, list[InvestmentYear]] = {p.id: [] for p in projects}
    if projects:
        for year in await session.scalars(select(InvestmentYear).where(InvestmentYear.project_id.in_(list(years)))):
            years[year.project_id].append(year)
    return Page[InvestmentRead](
        items=[project_read(p, years[p.id]) for p in projects], total=total or 0, limit=page.limit, offset=page.offset
    )


# --- the plan view -----------------------------------------------------------------------------


def _sum(column: Any) -> ColumnElement[Decimal]:
    return type_coerce(func.coalesce(func.sum(column), 0), Money())


def outcome_known(year: int, as_of: date) -> bool:
    """A project's outcome is kept per year and booked in full only when the year has ended."""
    return period_end(year, "year") <= as_of


async def investment_plan(
    session: AsyncSession, from_year: int, years: int, plan_period_years: int, as_of: date
) -> InvestmentPlanRead:
    """Year by year from `from_year`: the frame, the projects' plans by category, and their consequences.

    As at `as_of`, the outcome of a year not yet ended is unknown (null), not the full-year figure typed
    in later. Frames and plans carry no decision date, so they are the ones held now."""
    to_year = from_year + years - 1
    rows = await session.execute(
        select(
            InvestmentYear.year,
            InvestmentProject.category,
            _sum(InvestmentYear.planned),
            _sum(InvestmentYear.outcome),
            _sum(InvestmentYear.depreciation),
            _sum(InvestmentYear.interest),
            _sum(InvestmentYear.running_costs),
            func.count(InvestmentYear.project_id.distinct()),
        )
        .join(InvestmentProject, InvestmentProject.id == InvestmentYear.project_id)
        .where(
            InvestmentYear.year.between(from_year, to_year),
            InvestmentProject.status != ProjectStatus.cancelled,
        )
        .group_by(InvestmentYear.year, InvestmentProject.category)
    )
    frame_rows = await session.execute(
        select(InvestmentFrame.year, InvestmentFrame.amount).where(InvestmentFrame.year.between(from_year, to_year))
    )
    frames: dict[int, Decimal] = {year: amount for year, amount in frame_rows}
    per_year: dict[int, dict[str, Any]] = {}
    for year, category, planned, outcome, depreciation, interest, running, projects in rows:
        entry = per_year.setdefault(
            year,
            {
                "planned_by_category": {},
                "outcome": ZERO,
                "depreciation": ZERO,
                "interest": ZERO,
                "running_costs": ZERO,
                "projects": 0,
            },
        )
        entry["planned_by_category"][category] = planned
        entry["outcome"] += outcome
        entry["depreciation"] += depreciation
        entry["interest"] += interest
        entry["running_costs"] += running
        entry["projects"] += projects
    plan = [
        _plan_year(y, from_year, plan_period_years, frames.get(y), per_year.get(y), outcome_known(y, as_of))
        for y in range(from_year, to_year + 1)
    ]
    return InvestmentPlanRead(
        from_year=from_year,
        as_of=as_of,
        plan_period_years=plan_period_years,
        years=plan,
        total_planned=sum((p.planned for p in plan), ZERO),
    )


def _plan_year(
    year: int,
    from_year: int,
    plan_period_years: int,
    frame: Decimal | None,
    figures: dict[str, Any] | None,
    outcome_is_known: bool,
) -> PlanYear:
    figures = figures or {
        "planned_by_category": {},
        "outcome": ZERO,
        "depreciation": ZERO,
        "interest": ZERO,
        "running_costs": ZERO,
        "projects": 0,
    }
    by_category = {c: figures["planned_by_category"].get(c, ZERO) for c in InvestmentCategory}
    planned = sum(by_category.values(), ZERO)
    return PlanYear(
        year=year,
        beyond_plan_period=year >= from_year + plan_period_years,
        frame=frame,
        planned=planned,
        planned_by_category=by_category,
        frame_margin=frame - planned if frame is not None else None,
        outcome=figures["outcome"] if outcome_is_known else None,
        depreciation=figures["depreciation"],
        interest=figures["interest"],
        running_costs=figures["running_costs"],
        operating_consequences=figures["depreciation"] + figures["interest"] + figures["running_costs"],
        projects=figures["projects"],
    )
