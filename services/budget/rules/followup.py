"""Rules of the year's follow-up: ledger outcomes, periodised budgets, forecasts and closed years."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    MONTHS,
    ClosedYear,
    Forecast,
    FrameStatus,
    OperatingFrame,
    Outcome,
    Periodisation,
)
from services.budget.rules import ledger
from services.budget.schemas import (
    ClosedYearCreate,
    ForecastCreate,
    ForecastRead,
    ForecastUpdate,
    OutcomeIn,
    OutcomeRead,
    PeriodisationIn,
    PeriodisationRead,
)
from shared.errors import Conflict, Locked, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


async def ensure_year_open(session: AsyncSession, year: int, what: str) -> None:
    """A closed year's follow-up is final: nothing in it may be added or changed."""
    if await session.scalar(select(ClosedYear.id).where(ClosedYear.year == year)) is not None:
        raise Locked(f"{year} is closed; its {what} can no longer change")


# --- outcomes ---------------------------------------------------------------------------------


async def add_outcomes(session: AsyncSession, rows: list[OutcomeIn]) -> list[Outcome]:
    """Save ledger rows; a row that is there already (unit, year, month, category) is a conflict."""
    keys = [(r.year, r.unit_code, r.month, r.category) for r in rows]
    if len(set(keys)) != len(keys):
        raise Unprocessable("The batch names the same unit, month and category twice", field="rows")
    for year in sorted({r.year for r in rows}):
        await ensure_year_open(session, year, "outcomes")
    key = tuple_(Outcome.year, Outcome.unit_code, Outcome.month, Outcome.category)
    taken = (
        await session.execute(select(Outcome.unit_code, Outcome.year, Outcome.month).where(key.in_(keys)).limit(1))
    ).first()
    if taken is not None:
        raise Conflict(f"{taken[0]} has an outcome for {taken[1]}-{taken[2]:02} in that category; correct that row")
    outcomes = [Outcome(**r.model_dump()) for r in rows]
    session.add_all(outcomes)
    await session.flush()
    return outcomes


async def list_outcomes(
    session: AsyncSession,
    page: PageParams,
    *,
    visible: ColumnElement[bool] | None,
    unit_code: str | None,
    year: int | None,
    month: int | None,
) -> Page[OutcomeRead]:
    stmt = select(Outcome).order_by(Outcome.year, Outcome.unit_code, Outcome.month, Outcome.category)
    for condition in (
        visible,
        Outcome.unit_code == unit_code if unit_code else None,
        Outcome.year == year if year else None,
        Outcome.month == month if month else None,
    ):
        if condition is not None:
            stmt = stmt.where(condition)
    return await paginate(session, stmt, page, lambda row: OutcomeRead.model_validate(row[0]))


async def get_outcome(session: AsyncSession, outcome_id: uuid.UUID) -> Outcome:
    outcome = await session.get(Outcome, outcome_id)
    if outcome is None:
        raise NotFound(f"No outcome {outcome_id}")
    return outcome


async def correct_outcome(session: AsyncSession, outcome: Outcome, amount: Decimal) -> Outcome:
    await ensure_year_open(session, outcome.year, "outcomes")
    outcome.amount = amount
    outcome.source = None  # corrected by hand: the next ledger import leaves it alone
    await ledger.retire_rows(session, [outcome.id])  # the amount is no longer the ledger rows' sum
    await session.flush()
    return outcome


# --- periodised budgets -----------------------------------------------------------------------


def month_columns() -> list[str]:
    return [f"m{m}" for m in MONTHS]


def periodisation_read(budget: Periodisation) -> PeriodisationRead:
    months = [getattr(budget, column) for column in month_columns()]
    return PeriodisationRead(
        id=budget.id,
        unit_code=budget.unit_code,
        year=budget.year,
        months=months,
        total=sum(months, Decimal(0)),
        comment=budget.comment,
        version=budget.version,
        updated_at=budget.updated_at,
    )


async def find_periodisation(session: AsyncSession, unit_code: str, year: int) -> Periodisation | None:
    return await session.scalar(
        select(Periodisation).where(Periodisation.unit_code == unit_code, Periodisation.year == year)
    )


async def current_frame_amount(session: AsyncSession, unit_code: str, year: int) -> Decimal | None:
    """The frame in force: the decided version, or the latest proposal before any decision."""
    rows = (
        await session.execute(
            select(OperatingFrame.status, OperatingFrame.amount)
            .where(OperatingFrame.unit_code == unit_code, OperatingFrame.year == year)
            .where(OperatingFrame.status != FrameStatus.revised)
            .order_by(OperatingFrame.revision.desc())
        )
    ).all()
    decided = [amount for status, amount in rows if status is FrameStatus.decided]
    if decided:
        return Decimal(decided[0])
    return Decimal(rows[0][1]) if rows else None


async def save_periodisation(
    session: AsyncSession, unit_code: str, year: int, data: PeriodisationIn, existing: Periodisation | None
) -> Periodisation:
    """Spread the frame over the months; the months must add up to the frame exactly."""
    await ensure_year_open(session, year, "periodised budget")
    frame = await current_frame_amount(session, unit_code, year)
    if frame is None:
        raise Unprocessable(f"{unit_code} has no frame for {year} to spread over the months", field="months")
    total = sum(data.months, Decimal(0))
    if total != frame:
        raise Unprocessable(f"The months add up to {total}, the frame is {frame}", field="months")
    budget = existing or Periodisation(unit_code=unit_code, year=year)
    for column, amount in zip(month_columns(), data.months, strict=True):
        setattr(budget, column, amount)
    budget.comment = data.comment
    if existing is None:
        session.add(budget)
    await session.flush()
    return budget


# --- forecasts --------------------------------------------------------------------------------


async def create_forecast(session: AsyncSession, data: ForecastCreate) -> Forecast:
    await ensure_year_open(session, data.year, "forecasts")
    exists = await session.scalar(
        select(Forecast.id).where(
            Forecast.unit_code == data.unit_code, Forecast.year == data.year, Forecast.follow_up == data.follow_up
        )
    )
    if exists is not None:
        raise Conflict(f"{data.unit_code} has a {data.follow_up} forecast for {data.year} already; change that one")
    forecast = Forecast(**data.model_dump())
    session.add(forecast)
    await session.flush()
    return forecast


async def get_forecast(session: AsyncSession, forecast_id: uuid.UUID) -> Forecast:
    forecast = await session.get(Forecast, forecast_id)
    if forecast is None:
        raise NotFound(f"No forecast {forecast_id}")
    return forecast


async def update_forecast(session: AsyncSession, forecast: Forecast, data: ForecastUpdate) -> Forecast:
    await ensure_year_open(session, forecast.year, "forecasts")
    changes = data.model_dump(exclude_unset=True)
    if "amount" in changes and changes["amount"] is None:
        raise Unprocessable("amount cannot be emptied", field="amount")
    for field, value in changes.items():
        setattr(forecast, field, value)
    await session.flush()
    return forecast


async def list_forecasts(
    session: AsyncSession,
    page: PageParams,
    *,
    visible: ColumnElement[bool] | None,
    unit_code: str | None,
    year: int | None,
) -> Page[ForecastRead]:
    stmt = select(Forecast).order_by(Forecast.year, Forecast.unit_code, Forecast.follow_up)
    for condition in (
        visible,
        Forecast.unit_code == unit_code if unit_code else None,
        Forecast.year == year if year else None,
    ):
        if condition is not None:
            stmt = stmt.where(condition)
    return await paginate(session, stmt, page, lambda row: ForecastRead.model_validate(row[0]))


# --- closed years -----------------------------------------------------------------------------


async def close_year(session: AsyncSession, data: ClosedYearCreate) -> ClosedYear:
    if await session.scalar(select(ClosedYear.id).where(ClosedYear.year == data.year)) is not None:
        raise Conflict(f"{data.year} is closed already", field="year")
    closed = ClosedYear(**data.model_dump())
    session.add(closed)
    await session.flush()
    return closed


async def list_closed_years(session: AsyncSession) -> list[ClosedYear]:
    return list(await session.scalars(select(ClosedYear).order_by(ClosedYear.year)))
