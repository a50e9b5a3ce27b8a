"""HTTP routes for goal follow-up per reporting period, and the goals to report to the council."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.goals.access import ensure_editor, ensure_readable
from services.goals.models import Goal, GoalFollowUp, OrgUnit, ReportingPeriod
from services.goals.routers.goals import GOAL_UNIT, READ
from services.goals.rules import followup as rules
from services.goals.rules import goals as goal_rules
from services.goals.rules.asat import resolve_as_of
from services.goals.rules.common import OrgIndex
from services.goals.schemas import FollowUpIn, FollowUpRead, ReportToCouncil, ReportToCouncilPage
from shared.asof import AsOfQuery
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS, access, editor
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.pagination import Pagination, paginate

router = APIRouter(tags=["follow-up"])
YearPath = Annotated[int, Path(ge=1990, le=2100)]


@router.get(
    "/goals/{goal_id}/follow-ups/{year}/{period}",
    operation_id="get_goal_follow_up",
    summary="A goal's follow-up: the colour from its indicators, and the owner's assessment",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_goal_follow_up(
    goal_id: uuid.UUID,
    year: YearPath,
    period: ReportingPeriod,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
) -> FollowUpRead:
    require_signed_in_reader(principal)
    goal = await goal_rules.get_goal(session, goal_id)
    ensure_readable(principal, (await OrgIndex.load(session)).code(goal.unit_id), goal.status, "goal")
    own = await rules.get_follow_up(session, goal, year, period)
    if own is not None:
        response.headers["ETag"] = f'"{own.version}"'
    return await rules.follow_up_read(session, goal, year, period, own)


@router.put(
    "/goals/{goal_id}/follow-ups/{year}/{period}",
    operation_id="put_goal_follow_up",
    summary="Write the owner's assessment, analysis and year-end forecast for a period",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(editor(GOAL_UNIT).hiding_drafts_of(GOAL_UNIT).noting("If-Match when a follow-up is there already")),
)
async def put_goal_follow_up(
    goal_id: uuid.UUID,
    year: YearPath,
    period: ReportingPeriod,
    data: FollowUpIn,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> FollowUpRead:
    goal = await goal_rules.get_goal(session, goal_id)
    unit_code = (await OrgIndex.load(session)).code(goal.unit_id)
    ensure_readable(principal, unit_code, goal.status, "goal")
    ensure_editor(principal, unit_code)
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
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_goals_to_report_to_council(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[int, Query(ge=1990, le=2100)],
    period: Annotated[
        ReportingPeriod | None, Query(description="With no `as_of`, the list as at this period's end")
    ] = None,
    as_of: AsOfQuery = None,
) -> ReportToCouncilPage:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    perspectives = await goal_rules.perspective_codes(session)
    day = resolve_as_of(as_of, year, period)
    stmt = rules.forecast_not_met(year, day).join(OrgUnit, Goal.unit_id == OrgUnit.id)
    visible = goal_rules.visible_goals(principal)
    if visible is not None:
        stmt = stmt.where(visible)

    def item(row: tuple[Goal, GoalFollowUp]) -> ReportToCouncil:
        goal, follow_up = row
        return ReportToCouncil(
            goal=goal_rules.goal_read(goal, index, perspectives), period=follow_up.period, analysis=follow_up.analysis
        )

    found = await paginate(session, stmt, page, item)
    return ReportToCouncilPage(items=found.items, total=found.total, limit=found.limit, offset=found.offset, as_of=day)
