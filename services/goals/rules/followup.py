"""Follow-up of a goal for a reporting period: the computed colour, the owner's own assessment, the forecast."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Forecast, Goal, GoalFollowUp, Indicator, ReportingPeriod
from services.goals.rules.asat import decided_by, periods_ended
from services.goals.rules.values import colour_of_goal, colours_at, indicator_facts
from services.goals.schemas import FollowUpIn, FollowUpRead, IndicatorStatus
from shared.asof import period_end
from shared.errors import Unprocessable


def check_year_in_goal(goal: Goal, year: int) -> None:
    if year < goal.start_year or (goal.end_year is not None and year > goal.end_year):
        raise Unprocessable(
            f"The goal runs {goal.start_year}–{goal.end_year or ''}; {year} is outside it", field="year"
        )


async def get_follow_up(session: AsyncSession, goal: Goal, year: int, period: ReportingPeriod) -> GoalFollowUp | None:
    return await session.scalar(
        select(GoalFollowUp).where(
            GoalFollowUp.goal_id == goal.id, GoalFollowUp.year == year, GoalFollowUp.period == period
        )
    )


_GOALS_INDICATORS = select(Indicator.id).where(Indicator.goal_id == bindparam("goal_id"))


async def follow_up_read(
    session: AsyncSession, goal: Goal, year: int, period: ReportingPeriod, own: GoalFollowUp | None
) -> FollowUpRead:
    params = {"goal_id": goal.id}
    indicators = await indicator_facts(session, _GOALS_INDICATORS, params)
    # A goal's follow-up speaks for its period's end.
    colours = await colours_at(
        session, indicators, _GOALS_INDICATORS, year, period, period_end(year, period.value), params
    )
    return FollowUpRead(
        goal_id=goal.id,
        year=year,
        period=period,
        computed=colour_of_goal(colours.values()),
        indicators=[
            IndicatorStatus(
                indicator_id=c.indicator.id,
                name=c.indicator.name,
                target=c.target,
                value=c.standing.value if c.standing else None,
                period=c.standing.period if c.standing else None,
                colour=c.colour,
            )
            for c in colours.values()
        ],
        assessment=own.assessment if own else None,
        analysis=own.analysis if own else None,
        forecast=own.forecast if own else None,
        report_to_council=bool(own and own.forecast is Forecast.will_not_be_met),
        version=own.version if own else None,
    )


async def put_follow_up(
    session: AsyncSession,
    goal: Goal,
    year: int,
    period: ReportingPeriod,
    data: FollowUpIn,
    existing: GoalFollowUp | None,
) -> GoalFollowUp:
    check_year_in_goal(goal, year)
    if existing is None:
        existing = GoalFollowUp(goal_id=goal.id, year=year, period=period)
        session.add(existing)
    existing.assessment = data.assessment
    existing.analysis = data.analysis
    existing.forecast = data.forecast
    await session.flush()
    return existing


def forecast_not_met(year: int, as_of: date) -> Select[Goal, GoalFollowUp]:
    """Goals whose latest follow-up of the year as at `as_of` forecasts them as not met: to be reported
    to the council. Only follow-ups of periods ended by then count (a T2 follow-up is not T1's), and
    only goals decided by then (drafts as the caller may read them)."""
    ended = periods_ended(year, as_of)
    # T1 < T2 < year in the column's text as in time, so the greatest period is the latest.
    latest = (
        select(GoalFollowUp.goal_id, func.max(GoalFollowUp.period).label("period"))
        .where(GoalFollowUp.year == year, GoalFollowUp.period.in_(ended))
        .group_by(GoalFollowUp.goal_id)
        .subquery()
    )
    return (
        select(Goal, GoalFollowUp)
        .join(GoalFollowUp, GoalFollowUp.goal_id == Goal.id)
        .join(latest, and_(latest.c.goal_id == GoalFollowUp.goal_id, latest.c.period == GoalFollowUp.period))
        .where(GoalFollowUp.year == year, GoalFollowUp.forecast == Forecast.will_not_be_met, decided_by(Goal, as_of))
        .order_by(Goal.title, Goal.id)
    )
