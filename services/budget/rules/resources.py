"""Rules of the resource calculation: what the region can spend in a plan year."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import ResourceCalculation
from services.budget.rules.money import percent_of
from services.budget.schemas import ResourceCreate, ResourceRead, ResourceUpdate
from shared.errors import Conflict, NotFound, Unprocessable


def result_target(resources: ResourceCalculation) -> Decimal:
    """The result the budget must leave: a percentage of tax revenue and general grants."""
    return percent_of(resources.tax_revenue + resources.general_grants, resources.result_target_percent)


def room_for_frames(resources: ResourceCalculation) -> Decimal:
    """What is left for the committees' net-cost frames once pensions and the result target are met."""
    return (
        resources.tax_revenue
        + resources.general_grants
        + resources.other_revenue
        - resources.pension_cost
        - result_target(resources)
    )


def resource_read(resources: ResourceCalculation) -> ResourceRead:
    return ResourceRead(
        id=resources.id,
        year=resources.year,
        tax_revenue=resources.tax_revenue,
        general_grants=resources.general_grants,
        other_revenue=resources.other_revenue,
        lpik_percent=resources.lpik_percent,
        pension_cost=resources.pension_cost,
        result_target_percent=resources.result_target_percent,
        result_target=result_target(resources),
        room_for_frames=room_for_frames(resources),
        tax_rate=resources.tax_rate,
        comment=resources.comment,
        version=resources.version,
        updated_at=resources.updated_at,
    )


async def list_resources(session: AsyncSession) -> list[ResourceCalculation]:
    return list(await session.scalars(select(ResourceCalculation).order_by(ResourceCalculation.year)))


async def get_resources(session: AsyncSession, year: int) -> ResourceCalculation:
    found = await session.scalar(select(ResourceCalculation).where(ResourceCalculation.year == year))
    if found is None:
        raise NotFound(f"No resource calculation for {year}")
    return found


async def create_resources(session: AsyncSession, data: ResourceCreate) -> ResourceCalculation:
    if await session.scalar(select(ResourceCalculation.id).where(ResourceCalculation.year == data.year)):
        raise Conflict(f"There is a resource calculation for {data.year} already; change that one", field="year")
    resources = ResourceCalculation(**data.model_dump())
    session.add(resources)
    await session.flush()
    return resources


async def update_resources(
    session: AsyncSession, resources: ResourceCalculation, data: ResourceUpdate
) -> ResourceCalculation:
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field != "comment":
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(resources, field, value)
    await session.flush()
    return resources
