"""Forecast proposals: a full-year forecast per account category of a unit, proposed from the outcome so far
and last year's monthly profile, which an editor accepts or adjusts. Functions flush; the request commits."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    FOLLOW_UP_MONTH,
    UNIT_CATEGORIES,
    AccountCategory,
    FollowUp,
    ForecastProposal,
    Outcome,
    ProposalStatus,
)
from services.budget.rules.followup import ensure_year_open
from services.budget.schemas import ForecastChoice, ForecastProposalRead, ForecastProposalRequest
from shared.errors import Conflict, NotFound
from shared.pagination import Page, PageParams, paginate
from shared.types import CENT

MONTHS_IN_YEAR = Decimal(12)


def proposed_full_year(so_far: Decimal, last_so_far: Decimal, last_total: Decimal, month: int) -> Decimal:
    """The outcome so far scaled by last year's profile: the year's total over what was booked by this month.

    Without a profile (nothing booked by this month last year) the months' average over the whole year.
    """
    if last_so_far > 0:
        return (so_far * last_total / last_so_far).quantize(CENT, rounding=ROUND_HALF_UP)
    return (so_far * MONTHS_IN_YEAR / month).quantize(CENT, rounding=ROUND_HALF_UP)


async def _bases(
    session: AsyncSession, unit_code: str, year: int, month: int
) -> dict[AccountCategory, tuple[Decimal, Decimal, Decimal]]:
    """Per category: this year's outcome by `month`, last year's by `month`, last year's total. One statement."""
    this_year = func.sum(case((Outcome.year == year, Outcome.amount), else_=0))
    last_by_month = func.sum(case(((Outcome.year == year - 1) & (Outcome.month <= month), Outcome.amount), else_=0))
    last_total = func.sum(case((Outcome.year == year - 1, Outcome.amount), else_=0))
    rows = await session.execute(
        select(Outcome.category, this_year, last_by_month, last_total)
        .where(
            Outcome.unit_code == unit_code,
            Outcome.year.in_([year, year - 1]),
            Outcome.category.in_(UNIT_CATEGORIES),
            (Outcome.year == year - 1) | (Outcome.month <= month),
        )
        .group_by(Outcome.category)
    )
    zero = Decimal(0)
    return {category: (a or zero, b or zero, c or zero) for category, a, b, c in rows}


async def propose(session: AsyncSession, request: ForecastProposalRequest) -> list[ForecastProposal]:
    """A proposal for each of the unit's account categories; one the editor has chosen on stays as it is."""
    if request.follow_up is FollowUp.T3:
        raise Conflict("The year-end (T3) has the whole year's outcome: there is nothing left to forecast")
    await ensure_year_open(session, request.year, "forecasts")
    month = FOLLOW_UP_MONTH[request.follow_up]
    bases = await _bases(session, request.unit_code, request.year, month)
    held = {
        p.category: p
        for p in await session.scalars(
            select(ForecastProposal).where(
                ForecastProposal.unit_code == request.unit_code,
                ForecastProposal.year == request.year,
                ForecastProposal.follow_up == request.follow_up,
            )
        )
    }
    zero = (Decimal(0), Decimal(0), Decimal(0))
    for category in UNIT_CATEGORIES:
        so_far, last_so_far, last_total = bases.get(category, zero)
        figures = {
            "outcome_so_far": so_far,
            "last_year_so_far": last_so_far,
            "last_year_total": last_total,
            "proposed": proposed_full_year(so_far, last_so_far, last_total, month),
        }
        proposal = held.get(category)
        if proposal is None:
            proposal = ForecastProposal(
                unit_code=request.unit_code,
                year=request.year,
                follow_up=request.follow_up,
                category=category,
                status=ProposalStatus.proposed,
                **figures,
            )
            session.add(proposal)
            held[category] = proposal
        elif proposal.status is ProposalStatus.proposed:
            for name, value in figures.items():
                if getattr(proposal, name) != value:
                    setattr(proposal, name, value)
    await session.flush()
    return [held[c] for c in UNIT_CATEGORIES]


async def list_proposals(
    session: AsyncSession,
    page: PageParams,
    *,
    visible: ColumnElement[bool],
    unit_code: str | None,
    year: int | None,
    follow_up: FollowUp | None,
) -> Page[ForecastProposalRead]:
    stmt = (
        select(ForecastProposal)
        .where(visible)
        .order_by(
            ForecastProposal.year, ForecastProposal.follow_up, ForecastProposal.unit_code, ForecastProposal.category
        )
    )
    if unit_code is not None:
        stmt = stmt.where(ForecastProposal.unit_code == unit_code)
    if year is not None:
        stmt = stmt.where(ForecastProposal.year == year)
    if follow_up is not None:
        stmt = stmt.where(ForecastProposal.follow_up == follow_up)
    return await paginate(session, stmt, page, lambda row: ForecastProposalRead.model_validate(row[0]))


async def get_proposal(session: AsyncSession, proposal_id: uuid.UUID) -> ForecastProposal:
    proposal = await session.get(ForecastProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"No forecast proposal {proposal_id}")
    return proposal


async def choose(session: AsyncSession, proposal: ForecastProposal, choice: ForecastChoice) -> None:
    """The editor's choice, next to the proposal as it was computed (both stay, and history has each change)."""
    await ensure_year_open(session, proposal.year, "forecasts")
    if choice.accept:
        proposal.status = ProposalStatus.accepted
        proposal.chosen = proposal.proposed
    else:
        proposal.status = ProposalStatus.adjusted
        proposal.chosen = choice.amount
    proposal.comment = choice.comment
    await session.flush()
