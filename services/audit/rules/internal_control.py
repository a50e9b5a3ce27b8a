"""Internal control: a body's risk analysis on the region's one matrix, its control plan, and the results.

Rules chosen here:
- a risk is scored likelihood × consequence, each 1..scale_max (AUDIT_RISK_SCALE_MAX, 4 by default);
  the score's colour comes from the region's bands (AUDIT_RISK_YELLOW_FROM, AUDIT_RISK_RED_FROM);
- only risks scoring at or above AUDIT_RISK_CONTROL_THRESHOLD get controls, and a plan is decided only
  when each of them has at least one; deciding locks the risks and controls;
- results are recorded on the controls of a decided plan, one per control and period (T2 or year),
  and stay editable by the body's editors, since they are follow-up, not decision;
- a result is green without deviation, yellow with a deviation that has an action, red with one that
  has none; the plan's results are coloured like a goal from its indicators (all green: green; at
  least half red: red; otherwise yellow; none: grey).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.access import PLANS_SEEN
from services.audit.models import (
    Control,
    ControlOutcome,
    ControlPlan,
    ControlResult,
    Lifecycle,
    ReportingPeriod,
    Risk,
)
from services.audit.rules.common import apply_decision, changes, decision_of, ensure_draft
from services.audit.schemas import (
    Colour,
    ControlIn,
    ControlPlanCreate,
    ControlPlanRead,
    ControlPlanSummary,
    ControlRead,
    ControlResultIn,
    ControlResultRead,
    ControlUpdate,
    RiskBand,
    RiskIn,
    RiskInPlan,
    RiskMatrix,
    RiskRead,
    RiskUpdate,
)
from services.audit.settings import AuditSettings
from shared.auth.policy import Principal
from shared.concurrency import check_if_match
from shared.decisions import DecisionIn
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate
from shared.types import utcnow


class Matrix:
    """The region's one risk matrix, from the service settings."""

    def __init__(self, settings: AuditSettings) -> None:
        self.scale_max = settings.risk_scale_max
        self.yellow_from = settings.risk_yellow_from
        self.red_from = settings.risk_red_from
        self.threshold = settings.risk_control_threshold

    def check(self, likelihood: int | None, consequence: int | None) -> None:
        for field, value in (("likelihood", likelihood), ("consequence", consequence)):
            if value is not None and not 1 <= value <= self.scale_max:
                raise Unprocessable(f"{field} {value} is off the region's scale 1–{self.scale_max}", field=field)

    def colour(self, score: int) -> Colour:
        if score >= self.red_from:
            return Colour.red
        if score >= self.yellow_from:
            return Colour.yellow
        return Colour.green

    def needs_control(self, score: int) -> bool:
        return score >= self.threshold

    def read(self) -> RiskMatrix:
        top = self.scale_max**2
        return RiskMatrix(
            scale_max=self.scale_max,
            bands=[
                RiskBand(colour=Colour.green, from_score=1, to_score=self.yellow_from - 1),
                RiskBand(colour=Colour.yellow, from_score=self.yellow_from, to_score=self.red_from - 1),
                RiskBand(colour=Colour.red, from_score=self.red_from, to_score=top),
            ],
            control_threshold=self.threshold,
        )


def result_colour(outcome: ControlOutcome, action: str | None) -> Colour:
    if outcome is ControlOutcome.no_deviation:
        return Colour.green
    return Colour.yellow if action else Colour.red


def combined_colour(colours: Iterable[Colour]) -> Colour:
    """The goal-fulfilment rule: all green is green, at least half red is red, otherwise yellow."""
    measured = [c for c in colours if c is not Colour.grey]
    if not measured:
        return Colour.grey
    if all(c is Colour.green for c in measured):
        return Colour.green
    if 2 * sum(c is Colour.red for c in measured) >= len(measured):
        return Colour.red
    return Colour.yellow


async def create_plan(session: AsyncSession, data: ControlPlanCreate) -> ControlPlan:
    existing = await session.scalar(
        select(ControlPlan.id).where(ControlPlan.body_code == data.body_code, ControlPlan.year == data.year)
    )
    if existing is not None:
        raise Conflict(f"{data.body_code} already has an internal control plan for {data.year} ({existing})")
    plan = ControlPlan(body_code=data.body_code, year=data.year)
    session.add(plan)
    await session.flush()
    return plan


async def get_plan(session: AsyncSession, plan_id: uuid.UUID) -> ControlPlan:
    plan = await session.get(ControlPlan, plan_id)
    if plan is None:
        raise NotFound("No internal control plan with that id")
    return plan


async def list_plans(
    session: AsyncSession, page: PageParams, principal: Principal, *, body_code: str | None, year: int | None
) -> Page[ControlPlanSummary]:
    stmt = (
        select(ControlPlan)
        .where(PLANS_SEEN.where(principal))
        .order_by(ControlPlan.year.desc(), ControlPlan.body_code, ControlPlan.id)
    )
    if body_code is not None:
        stmt = stmt.where(ControlPlan.body_code == body_code)
    if year is not None:
        stmt = stmt.where(ControlPlan.year == year)
    return await paginate(
        session, stmt, page, lambda row: ControlPlanSummary.model_validate(row[0], from_attributes=True)
    )


async def plan_read(session: AsyncSession, plan: ControlPlan, matrix: Matrix) -> ControlPlanRead:
    """The plan with its risks, controls and results, in three statements."""
    risks = list(await session.scalars(select(Risk).where(Risk.plan_id == plan.id).order_by(Risk.created_at, Risk.id)))
    controls = list(
        await session.scalars(
            select(Control)
            .join(Risk, Risk.id == Control.risk_id)
            .where(Risk.plan_id == plan.id)
            .order_by(Control.created_at, Control.id)
        )
    )
    results = list(
        await session.scalars(
            select(ControlResult)
            .join(Control, Control.id == ControlResult.control_id)
            .join(Risk, Risk.id == Control.risk_id)
            .where(Risk.plan_id == plan.id)
            .order_by(ControlResult.period, ControlResult.reported_on)
        )
    )
    results_by_control: dict[uuid.UUID, list[ControlResultRead]] = defaultdict(list)
    for result in results:
        results_by_control[result.control_id].append(_result_read(result))
    controls_by_risk: dict[uuid.UUID, list[ControlRead]] = defaultdict(list)
    for control in controls:
        controls_by_risk[control.risk_id].append(_control_read(control, results_by_control[control.id]))
    risk_reads = [_risk_read(r, controls_by_risk[r.id], matrix) for r in risks]
    return ControlPlanRead(
        id=plan.id,
        body_code=plan.body_code,
        year=plan.year,
        status=plan.status,
        decision=decision_of(plan),
        risks=sorted(risk_reads, key=lambda r: (-r.score, r.title)),
        uncontrolled_risks=sum(1 for r in risk_reads if r.needs_control and not r.controls),
        results_colour=combined_colour(
            result_colour(r.outcome, r.action) for r in results if r.period is ReportingPeriod.T2
        ),
        version=plan.version,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def _result_read(result: ControlResult) -> ControlResultRead:
    return ControlResultRead(
        id=result.id,
        control_id=result.control_id,
        period=result.period,
        outcome=result.outcome,
        description=result.description,
        action=result.action,
        reported_on=result.reported_on,
        colour=result_colour(result.outcome, result.action),
        version=result.version,
    )


def _control_read(control: Control, results: list[ControlResultRead]) -> ControlRead:
    return ControlRead(
        id=control.id,
        risk_id=control.risk_id,
        control=control.control,
        method=control.method,
        frequency=control.frequency,
        owner=control.owner,
        owner_subject=control.owner_subject,
        owner_name=control.owner_name,
        results=results,
        version=control.version,
    )


def _risk_read(risk: Risk, controls: list[ControlRead], matrix: Matrix) -> RiskRead:
    score = risk.likelihood * risk.consequence
    return RiskRead(
        id=risk.id,
        plan_id=risk.plan_id,
        title=risk.title,
        description=risk.description,
        likelihood=risk.likelihood,
        consequence=risk.consequence,
        score=score,
        colour=matrix.colour(score),
        needs_control=matrix.needs_control(score),
        goal_ids=[uuid.UUID(g) for g in risk.goal_ids],
        activity_ids=[uuid.UUID(a) for a in risk.activity_ids],
        processes=list(risk.processes),
        owner_subject=risk.owner_subject,
        owner_name=risk.owner_name,
        controls=controls,
        version=risk.version,
    )


def touch_plan(plan: ControlPlan) -> None:
    """A change to a plan's risks, controls or results is a change to the plan: its version (ETag) moves,
    so that an edit made from a stale read of the plan is refused (412) rather than overwriting unseen."""
    plan.updated_at = utcnow()


def _changing_draft(plan: ControlPlan, record: Risk | Control | None = None, if_match: str | None = None) -> None:
    """Risks and controls change only while their plan is a draft, and then from their current ETag."""
    ensure_draft(plan.status, "internal control plan")
    if record is not None:
        check_if_match(if_match, record)


# What a risk threatens, by id in the goals service: kept as lists of ids, checked by the route with it.
RISK_LINKS = ("goal_ids", "activity_ids")


def _links(data: RiskIn | RiskUpdate) -> dict[str, list[str]]:
    """The link lists a request sends, as stored: each id once, in the order sent."""
    sent = {name: getattr(data, name) for name in RISK_LINKS if getattr(data, name) is not None}
    return {name: [str(i) for i in dict.fromkeys(ids)] for name, ids in sent.items()}


async def add_risk(session: AsyncSession, plan: ControlPlan, data: RiskIn, matrix: Matrix) -> Risk:
    _changing_draft(plan)
    matrix.check(data.likelihood, data.consequence)
    risk = Risk(plan_id=plan.id, **data.model_dump(exclude=set(RISK_LINKS)), **_links(data))
    session.add(risk)
    touch_plan(plan)
    await session.flush()
    return risk


async def get_risk(session: AsyncSession, risk_id: uuid.UUID) -> tuple[Risk, ControlPlan]:
    row = (await session.execute(select(Risk, ControlPlan).join(ControlPlan).where(Risk.id == risk_id))).one_or_none()
    if row is None:
        raise NotFound("No risk with that id")
    return row[0], row[1]


async def update_risk(
    session: AsyncSession, plan: ControlPlan, risk: Risk, data: RiskUpdate, matrix: Matrix, if_match: str | None
) -> None:
    _changing_draft(plan, risk, if_match)
    sent = changes(data, {"title", "likelihood", "consequence", "processes", *RISK_LINKS}, exclude=set(RISK_LINKS))
    matrix.check(data.likelihood, data.consequence)
    score = sent.get("likelihood", risk.likelihood) * sent.get("consequence", risk.consequence)
    if not matrix.needs_control(score):
        has_controls = await session.scalar(select(Control.id).where(Control.risk_id == risk.id).limit(1))
        if has_controls is not None:
            raise Unprocessable(
                f"A score of {score} is below the control threshold {matrix.threshold}; remove its controls first",
                field="likelihood",
            )
    for field, value in {**sent, **_links(data)}.items():
        setattr(risk, field, value)
    touch_plan(plan)
    await session.flush()


async def add_control(session: AsyncSession, plan: ControlPlan, risk: Risk, data: ControlIn, matrix: Matrix) -> Control:
    _changing_draft(plan)
    score = risk.likelihood * risk.consequence
    if not matrix.needs_control(score):
        raise Unprocessable(
            f"The risk scores {score}, below the control threshold {matrix.threshold}; it stays out of the plan",
            field="risk_id",
        )
    control = Control(risk_id=risk.id, **data.model_dump())
    session.add(control)
    touch_plan(plan)
    await session.flush()
    return control


async def get_control(session: AsyncSession, control_id: uuid.UUID) -> tuple[Control, ControlPlan]:
    row = (
        await session.execute(
            select(Control, ControlPlan)
            .join(Risk, Risk.id == Control.risk_id)
            .join(ControlPlan, ControlPlan.id == Risk.plan_id)
            .where(Control.id == control_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No control with that id")
    return row[0], row[1]


async def update_control(
    session: AsyncSession, plan: ControlPlan, control: Control, data: ControlUpdate, if_match: str | None
) -> None:
    _changing_draft(plan, control, if_match)
    for field, value in changes(data, {"control", "method", "frequency", "owner"}).items():
        setattr(control, field, value)
    touch_plan(plan)
    await session.flush()


async def delete_record(session: AsyncSession, plan: ControlPlan, record: Risk | Control, if_match: str | None) -> None:
    """A risk or control taken out of a draft plan; its controls go with a risk, and history keeps both."""
    _changing_draft(plan, record, if_match)
    if isinstance(record, Risk):
        for control in await session.scalars(select(Control).where(Control.risk_id == record.id)):
            await session.delete(control)
        await session.flush()
    await session.delete(record)
    touch_plan(plan)
    await session.flush()


async def decide_plan(
    session: AsyncSession, plan: ControlPlan, decision: DecisionIn, matrix: Matrix, diary_pattern: str
) -> None:
    if plan.status is Lifecycle.decided:
        raise Conflict("The plan is already decided")
    if decision.decided_by != plan.body_code:
        raise Unprocessable(f"The plan is {plan.body_code}'s; it is decided at its meeting", field="decided_by")
    read = await plan_read(session, plan, matrix)
    if read.uncontrolled_risks:
        raise Unprocessable(
            f"{read.uncontrolled_risks} risk(s) at or above the threshold have no control yet", field="risks"
        )
    apply_decision(plan, decision, diary_pattern)
    plan.status = Lifecycle.decided
    await session.flush()


async def record_result(
    session: AsyncSession, control: Control, plan: ControlPlan, data: ControlResultIn
) -> ControlResult:
    if plan.status is not Lifecycle.decided:
        raise Conflict("Results are recorded against a decided control plan")
    existing = await session.scalar(
        select(ControlResult.id).where(ControlResult.control_id == control.id, ControlResult.period == data.period)
    )
    if existing is not None:
        raise Conflict(f"The control already has a result for {data.period} ({existing}); change that one")
    result = ControlResult(control_id=control.id, **data.model_dump())
    session.add(result)
    touch_plan(plan)
    await session.flush()
    return result


async def get_result(session: AsyncSession, result_id: uuid.UUID) -> tuple[ControlResult, ControlPlan]:
    row = (
        await session.execute(
            select(ControlResult, ControlPlan)
            .join(Control, Control.id == ControlResult.control_id)
            .join(Risk, Risk.id == Control.risk_id)
            .join(ControlPlan, ControlPlan.id == Risk.plan_id)
            .where(ControlResult.id == result_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No control result with that id")
    return row[0], row[1]


async def update_result(session: AsyncSession, plan: ControlPlan, result: ControlResult, data: ControlResultIn) -> None:
    for field, value in data.model_dump(exclude={"period"}).items():
        setattr(result, field, value)
    touch_plan(plan)
    await session.flush()


def result_out(result: ControlResult) -> ControlResultRead:
    return _result_read(result)


async def control_in_plan(session: AsyncSession, control: Control, plan: ControlPlan, matrix: Matrix) -> ControlRead:
    """One control as its plan shows it, with its results."""
    risks = (await plan_read(session, plan, matrix)).risks
    return next(c for r in risks for c in r.controls if c.id == control.id)


async def risk_in_plan(session: AsyncSession, risk: Risk, plan: ControlPlan, matrix: Matrix) -> RiskInPlan:
    """One risk as its plan shows it, with its controls and results, and the plan's body, year and decision."""
    read = next(r for r in (await plan_read(session, plan, matrix)).risks if r.id == risk.id)
    return RiskInPlan(
        **read.model_dump(),
        body_code=plan.body_code,
        year=plan.year,
        plan_status=plan.status,
        plan_decision=decision_of(plan),
    )
