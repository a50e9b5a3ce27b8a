"""HTTP routes for goal follow-up per reporting period, and the goals to report to the council."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.goals.access import GOAL_FOLLOW_UP, GOAL_READ, GOALS_SEEN
from services.goals.dependencies import Index, a_goal
from services.goals.models import Goal, GoalFollowUp, OrgUnit, ReportingPeriod
from services.goals.rules import followup as rules
from services.goals.rules import goals as goal_rules
from services.goals.rules.asat import resolve_as_of
from services.goals.schemas import FollowUpIn, FollowUpRead, ReportToCouncil, ReportToCouncilPage
from shared.asof import AsOfQuery
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.fields import YearPath
from shared.pagination import Pagination, paginate

router = APIRouter(tags=["follow-up"], route_class=GuardedRoute)


@router.get(
    "/goals/{goal_id}/follow-ups/{year}/{period}",
    operation_id="get_goal_follow_up",
    summary="A goal's follow-up: the colour from its indicators, and the owner's assessment",
    responses=error_responses(Forbidden, NotFound),
)
async def get_goal_follow_up(
    goal: Annotated[Goal, guard(GOAL_READ, a_goal)],
    year: YearPath,
    period: ReportingPeriod,
    session: DbSession,
    response: Response,
) -> FollowUpRead:
    own = await rules.get_follow_up(session, goal, year, period)
    if own is not None:
        response.headers["ETag"] = f'"{own.version}"'
    return await rules.follow_up_read(session, goal, year, period, own)


@router.put(
    "/goals/{goal_id}/follow-ups/{year}/{period}",
    operation_id="put_goal_follow_up",
    summary="Write the owner's assessment, analysis and year-end forecast for a period",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def put_goal_follow_up(
    goal: Annotated[Goal, guard(GOAL_FOLLOW_UP, a_goal)],
    year: YearPath,
    period: ReportingPeriod,
    data: FollowUpIn,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> FollowUpRead:
    existing = await rules.get_follow_up(session, goal, year, period)
    if existing is not None:
        check_if_match(if_match, existing)
    own = await rules.put_follow_up(session, goal, year, period, data, existing)
    response.headers["ETag"] = f'"{own.version}"'
    return await rules.follow_up_read(session, goal, year, period, own)


@router.get(
    "/follow-ups/report-to-council",
    operation_id="list_goals_to_report_to_council",
    summary="Goals forecast as not met this year, to be reported to the council",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_goals_to_report_to_council(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    page: Pagination,
    year: Annotated[int, Query(ge=1990, le=2100)],
    period: Annotated[
        ReportingPeriod | None, Query(description="With no `as_of`, the list as at this period's end")
    ] = None,
    as_of: AsOfQuery = None,
) -> ReportToCouncilPage:
    perspectives = await goal_rules.perspective_codes(session)
    day = resolve_as_of(as_of, year, period)
    visible = GOALS_SEEN.where(principal)
    stmt = rules.forecast_not_met(year, day).join(OrgUnit, Goal.unit_id == OrgUnit.id).where(visible)

    def item(row: tuple[Goal, GoalFollowUp]) -> ReportToCouncil:
        goal, follow_up = row
        return ReportToCouncil(
            goal=goal_rules.goal_read(goal, index, perspectives), period=follow_up.period, analysis=follow_up.analysis
        )

    found = await paginate(session, stmt, page, item)
    return ReportToCouncilPage(items=found.items, total=found.total, limit=found.limit, offset=found.offset, as_of=day)
