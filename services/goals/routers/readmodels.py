"""Read models: the chain, the fulfilment summary and the goal-quality report, each in one call.

Each answers as at a date (`as_of`, shared/asof.py): given, or the end of the period asked about, or
today; and says which in its `as_of`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.goals.dependencies import Index
from services.goals.models import ReportingPeriod
from services.goals.rules import readmodels as rules
from services.goals.rules.asat import resolve_as_of
from services.goals.schemas import Chain, FulfilmentSummary, QualityDetail, QualityReport
from shared.asof import AS_OF_DESCRIPTION, AsOfQuery
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.auth.policy import UnitKind
from shared.errors import Forbidden, Unprocessable, error_responses
from shared.fields import Day

router = APIRouter(tags=["read models"], route_class=GuardedRoute)
UnitQuery = Annotated[str | None, Query(max_length=16, description="A unit and the units below it; all if left out")]
YearQuery = Annotated[int, Query(ge=1990, le=2100)]
LevelsQuery = Annotated[
    list[UnitKind] | None,
    Query(
        description="Only the goals of units of these kinds, e.g. `levels=council` for the plan, its strategies "
        "and the council's goals (what the region's report shows); every level if left out. A goal whose "
        "parent goal is left out stands among `unlinked_goals` (with `orphan` false)."
    ),
]
PeriodQuery = Annotated[
    ReportingPeriod | None,
    Query(description="The follow-up period; with `year` and no `as_of`, the answer is as at its end"),
]


@router.get(
    "/chain",
    operation_id="get_chain",
    summary="Plan → strategies → goals → indicators with latest values and colour, in one answer",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def get_chain(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    year: YearQuery,
    unit: UnitQuery = None,
    period: Annotated[
        ReportingPeriod | None,
        Query(description="Colours at this period's end (the year if left out); with no `as_of`, as at its end"),
    ] = None,
    levels: LevelsQuery = None,
    as_of: AsOfQuery = None,
) -> Chain:
    return await rules.chain(
        session,
        index,
        principal,
        unit_code=unit,
        year=year,
        period=period or ReportingPeriod.year,
        as_of=resolve_as_of(as_of, year, period),
        levels=levels,
    )


@router.get(
    "/fulfilment",
    operation_id="get_fulfilment_summary",
    summary="Decided goals by colour per unit and perspective for a reporting period",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def get_fulfilment_summary(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    year: YearQuery,
    period: ReportingPeriod,
    unit: UnitQuery = None,
    as_of: Annotated[Day | None, Query(description=AS_OF_DESCRIPTION.replace("today", "the period's end"))] = None,
) -> FulfilmentSummary:
    return await rules.fulfilment(
        session,
        index,
        principal,
        unit_code=unit,
        year=year,
        period=period,
        as_of=resolve_as_of(as_of, year, period),
    )


@router.get(
    "/quality",
    operation_id="get_goal_quality",
    summary="How measurable the goals are (SMART checks) and which have no link upward",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def get_goal_quality(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    unit: UnitQuery = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    detail: Annotated[
        QualityDetail,
        Query(description="`summary`: the counts and the orphan goals, `goal_checks` null (what a report shows)"),
    ] = QualityDetail.goals,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
) -> QualityReport:
    if period is not None and year is None:
        raise Unprocessable("A period is of a year: give `year` with `period`", field="period")
    answer = rules.quality_summary if detail is QualityDetail.summary else rules.quality
    return await answer(
        session,
        index,
        unit_code=unit,
        year=year,
        as_of=resolve_as_of(as_of, year, period),
        principal=principal,
    )
