"""What the goals routes depend on besides the caller: the org tree, and the records their paths (or bodies)
name, each with what the access rules ask of it: its unit (by the rule's words), and its state.

A record that cannot change any more (closed) answers 409 from the loader of the routes that change it,
before its rule is looked at, as it always has: every caller who could see it sees that it is closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Path

from services.goals.access import (
    ACTIVITY_UNIT,
    ASSIGNEE,
    ASSIGNMENT_DECISION,
    ASSIGNMENT_ISSUER_CHANGE,
    EDITION_REGISTRAR,
    GOAL_CHANGE,
    GOAL_UNIT,
    GOALS_SEEN,
    INDICATOR_READ,
    ISSUER,
    OWNER,
    REPORT_UNIT,
    SECTION_UNIT,
    WRITE_MEASUREMENTS_SCOPE,
)
from services.goals.models import (
    Activity,
    Assignment,
    Goal,
    Indicator,
    Lifecycle,
    Measurement,
    OrgUnit,
    Plan,
    ReportEdition,
    ReportSection,
    Strategy,
)
from services.goals.rules import goals, indicators, plans, reports, units, work
from services.goals.rules.common import OrgIndex
from services.goals.rules.indicators import Owner
from services.goals.rules.measurement_import import Caller
from services.goals.schemas import (
    ActivityCreate,
    AssignmentCreate,
    AssignmentUpdate,
    GoalCreate,
    GoalUpdate,
    IndicatorCreate,
    ReportEditionCreate,
)
from shared.auth.access import COUNCIL, Outcome, Rule, State
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import Found, refusal, state_of
from shared.auth.policy import Principal
from shared.errors import Locked, NotFound

T = TypeVar("T")


async def org_index(session: DbSession) -> OrgIndex:
    return await OrgIndex.load(session)


Index = Annotated[OrgIndex, Depends(org_index)]
CodePath = Annotated[str, Path(description="The unit's code, e.g. HSN", max_length=16)]


def _enforce(declared: Rule, principal: Principal, unit_code: str, state: State | None) -> None:
    """A rule a body's contents bring in (another unit, a decision): every unit it names is `unit_code`."""

    def code(_: str) -> str:
        return unit_code

    if declared.outcome(principal, code, state, write=True) is not Outcome.allowed:
        raise refusal(declared, code, state, principal)


def _refuse_closed(status: Lifecycle, what: str) -> None:
    if status is Lifecycle.closed:
        raise Locked(f"The {what} is closed and can no longer change")


def _state(status: Lifecycle) -> State:
    return State.draft if status is Lifecycle.draft else State.decided


# --- org units ---------------------------------------------------------------------------------


async def a_unit(code: CodePath, session: DbSession) -> Found[tuple[OrgUnit, str | None]]:
    return Found(await units.get_unit_with_parent(session, code), "org unit")


# --- goals -------------------------------------------------------------------------------------


async def a_goal(goal_id: uuid.UUID, session: DbSession, index: Index) -> Found[Goal]:
    goal = await goals.get_goal(session, goal_id)
    return Found(goal, "goal", {GOAL_UNIT: index.code(goal.unit_id)}, state_of(goal))


async def a_goal_to_change(found: Annotated[Found[Goal], Depends(a_goal)]) -> Found[Goal]:
    _refuse_closed(found.record.status, "goal")
    return found


async def a_new_goal(data: GoalCreate) -> Found[GoalCreate]:
    return Found(data, "goal", {GOAL_UNIT: data.unit_code})


async def a_goal_change(
    found: Annotated[Found[Goal], Depends(a_goal_to_change)],
    data: GoalUpdate,
    principal: CurrentPrincipal,
    session: DbSession,
) -> GoalUpdate:
    """The change a body asks of a goal its guard let through: a move needs the same rule on the new unit,
    and a parent goal the caller may not read is as absent as one that does not exist."""
    if data.unit_code is not None and data.unit_code != found.unit_code(GOAL_UNIT):
        _enforce(GOAL_CHANGE, principal, data.unit_code, found.state)
    if data.parent_goal_id is not None:
        await goals.refuse_hidden_parent(session, data.parent_goal_id, GOALS_SEEN.where(principal))
    return data


# --- plans and strategies -------------------------------------------------------------------------


async def the_council(index: Index) -> Found[None]:
    return Found(None, "plan", {COUNCIL: plans.council_code(index)})


async def a_plan(plan_id: uuid.UUID, session: DbSession, index: Index) -> Found[Plan]:
    plan = await plans.get_plan(session, plan_id)
    return Found(plan, "plan", {COUNCIL: plans.council_code(index)}, state_of(plan))


async def a_plan_to_change(found: Annotated[Found[Plan], Depends(a_plan)]) -> Found[Plan]:
    _refuse_closed(found.record.status, "plan")
    return found


async def a_strategy_to_change(strategy_id: uuid.UUID, session: DbSession, index: Index) -> Found[Strategy]:
    strategy, plan = await plans.get_strategy(session, strategy_id)
    _refuse_closed(plan.status, "strategy")
    return Found(strategy, "strategy", {COUNCIL: plans.council_code(index)}, state_of(plan))


# --- indicators and measurements ----------------------------------------------------------------


def _owned(record: T, what: str, owner: Owner) -> Found[tuple[T, Owner]]:
    return Found((record, owner), what, {OWNER: owner.unit_code}, _state(owner.status))


async def an_indicator(indicator_id: uuid.UUID, session: DbSession, index: Index) -> Found[tuple[Indicator, Owner]]:
    indicator = await indicators.get_indicator(session, indicator_id)
    return _owned(indicator, "indicator", await indicators.owner_of(session, indicator, index))


async def an_indicator_to_change(
    found: Annotated[Found[tuple[Indicator, Owner]], Depends(an_indicator)],
) -> Found[tuple[Indicator, Owner]]:
    _refuse_closed(found.record[1].status, "goal or strategy")
    return found


async def a_new_indicator(
    data: IndicatorCreate, session: DbSession, index: Index
) -> Found[tuple[IndicatorCreate, Owner]]:
    owner = await indicators.owner_for(session, index, data.goal_id, data.strategy_id)
    _refuse_closed(owner.status, "goal or strategy")
    return _owned(data, "goal or strategy", owner)


def _readable(found: Found[T], principal: Principal) -> Found[T]:
    """Measuring is not reading: an integration allowed to write measurements that may not read the indicator
    (no read:decided) finds it absent, as any caller does an indicator they may not read."""
    if INDICATOR_READ.outcome(principal, found.unit_code, found.state, write=False) is not Outcome.allowed:
        raise NotFound("No indicator with that id")
    return found


async def an_indicator_to_measure(
    found: Annotated[Found[tuple[Indicator, Owner]], Depends(an_indicator)], principal: CurrentPrincipal
) -> Found[tuple[Indicator, Owner]]:
    return _readable(found, principal)


async def a_measurement(
    measurement_id: uuid.UUID, session: DbSession, index: Index, principal: CurrentPrincipal
) -> Found[tuple[Measurement, Owner]]:
    measurement = await indicators.get_measurement(session, measurement_id)
    indicator = await indicators.get_indicator(session, measurement.indicator_id)
    return _readable(
        _owned(measurement, "measurement", await indicators.owner_of(session, indicator, index)), principal
    )


def _may_measure(principal: Principal) -> Callable[[str], bool]:
    return lambda unit: WRITE_MEASUREMENTS_SCOPE in principal.scopes or principal.can_edit(unit)


async def measuring_caller(principal: CurrentPrincipal) -> Caller:
    """What an import asks of each row's indicator: whether the caller may read it, and measure it."""
    return Caller(
        may_read=lambda unit, decided: principal.can_read(unit, decided=decided),
        may_measure=_may_measure(principal),
    )


MeasuringCaller = Annotated[Caller, Depends(measuring_caller)]


# --- assignments and activities -----------------------------------------------------------------


async def an_assignment(assignment_id: uuid.UUID, session: DbSession, index: Index) -> Found[Assignment]:
    assignment = await work.get_assignment(session, assignment_id)
    codes = {ISSUER: index.code(assignment.issuer_id), ASSIGNEE: index.code(assignment.assignee_id)}
    return Found(assignment, "assignment", codes)


async def a_new_assignment(data: AssignmentCreate, principal: CurrentPrincipal) -> Found[AssignmentCreate]:
    """Recording the decision with the assignment is the issuer's registrar's (the rule's note)."""
    if data.decision is not None:
        _enforce(ASSIGNMENT_DECISION, principal, data.issuer_code, None)
    return Found(data, "assignment", {ISSUER: data.issuer_code})


# The assignee answers for the work: its status and the person who owns it are its own to set.
ASSIGNEE_SETS = {"status", "owner_subject", "owner_name"}


async def an_assignment_change(
    found: Annotated[Found[Assignment], Depends(an_assignment)], data: AssignmentUpdate, principal: CurrentPrincipal
) -> AssignmentUpdate:
    """The assignee's editors set the status and who of theirs owns it; anything else is the issuer's."""
    if not data.model_fields_set <= ASSIGNEE_SETS:
        _enforce(ASSIGNMENT_ISSUER_CHANGE, principal, found.unit_code(ISSUER), None)
    return data


async def an_activity(activity_id: uuid.UUID, session: DbSession, index: Index) -> Found[Activity]:
    activity, goal = await work.get_activity(session, activity_id)
    return Found(activity, "activity", {ACTIVITY_UNIT: index.code(activity.unit_id)}, state_of(goal))


async def a_new_activity(data: ActivityCreate) -> Found[ActivityCreate]:
    return Found(data, "activity", {ACTIVITY_UNIT: data.unit_code})


# --- report production --------------------------------------------------------------------------


async def a_new_edition(data: ReportEditionCreate, index: Index) -> Found[ReportEditionCreate]:
    return Found(data, "report edition", {REPORT_UNIT: data.unit_code or reports.registrar_of(index, None)})


async def an_edition(
    edition_id: uuid.UUID, session: DbSession, index: Index, principal: CurrentPrincipal
) -> Found[tuple[ReportEdition, list[ReportSection]]]:
    """An open edition is read through its registrar's unit, or through a section's unit (the rule's note):
    the unit the rule names is the one this caller reads it through."""
    edition = await reports.get_edition(session, edition_id)
    sections = await reports.sections_of(session, edition.id)
    through = reports.unit_read_through(principal, edition, sections, index)
    return Found((edition, sections), "report edition", {REPORT_UNIT: through}, state_of(edition))


async def a_section(
    found: Annotated[Found[tuple[ReportEdition, list[ReportSection]]], Depends(an_edition)],
    section_id: uuid.UUID,
    session: DbSession,
    index: Index,
) -> Found[tuple[ReportEdition, ReportSection]]:
    """A section of an open edition is a draft of its own unit."""
    edition, _ = found.record
    section = await reports.get_section(session, edition, section_id)
    code = index.code(section.unit_id)
    return Found((edition, section), "section", {REPORT_UNIT: code, SECTION_UNIT: code}, found.state)


async def an_edition_to_complete(
    found: Annotated[Found[tuple[ReportEdition, list[ReportSection]]], Depends(an_edition)],
    principal: CurrentPrincipal,
    index: Index,
) -> None:
    """Completion is the gateway's, for the registrar of the report's unit (the rule's words)."""
    _enforce(EDITION_REGISTRAR, principal, reports.registrar_unit(index, found.record[0]), found.state)
