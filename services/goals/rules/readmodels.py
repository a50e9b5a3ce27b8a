"""Read models for frontends and reports, each in a fixed number of SQL statements:
the chain, the fulfilment summary, and the goal-quality report."""

from __future__ import annotations

import functools
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.access import GOALS_SEEN, PLANS_SEEN
from services.goals.models import (
    Colour,
    Goal,
    Indicator,
    IndicatorTarget,
    Lifecycle,
    OrgUnit,
    Perspective,
    Plan,
    ReportingPeriod,
    Strategy,
)
from services.goals.rules.asat import as_of_params, decided_by
from services.goals.rules.common import OrgIndex
from services.goals.rules.goals import is_orphan, orphan_in_sql
from services.goals.rules.values import (
    YEAR,
    IndicatorColour,
    Standing,
    colour_of_goal,
    colours_at,
    goal_colours,
    indicator_facts,
    latest_two,
    trend,
)
from services.goals.schemas import (
    Chain,
    ChainGoal,
    ChainPlan,
    ChainStrategy,
    FulfilmentRow,
    FulfilmentSummary,
    GoalQuality,
    GoalRef,
    IndicatorSnapshot,
    Point,
    QualityChecks,
    QualityReport,
    UnitQuality,
)
from shared.auth.policy import Principal, UnitKind
from shared.errors import Unprocessable
from shared.statements import AnySelect, derived, read_rows

SHARE = Decimal("0.001")


def scope_unit_ids(index: OrgIndex, unit_code: str | None, *, with_ancestors: bool) -> set[uuid.UUID] | None:
    """The units a read model covers: a unit's subtree (and, for the chain, the levels above it)."""
    if unit_code is None:
        return None
    unit = index.by_code.get(unit_code)
    if unit is None:
        raise Unprocessable(f"No org unit with code {unit_code}", field="unit")
    ids = index.subtree_ids(unit.id)
    if with_ancestors:
        ids |= set(index.ancestors_or_self(unit.id))
    return ids


@functools.lru_cache(maxsize=64)
def _scoped_goals(
    by_units: bool, by_levels: bool, by_year: bool, statuses: tuple[Lifecycle, ...] | None
) -> Select[Any]:
    stmt = select(Goal).join(OrgUnit, Goal.unit_id == OrgUnit.id).where(decided_by(Goal))
    if by_units:
        stmt = stmt.where(Goal.unit_id.in_(bindparam("unit_ids", expanding=True)))
    if by_levels:
        stmt = stmt.where(OrgUnit.kind.in_(bindparam("levels", expanding=True)))
    if by_year:
        stmt = stmt.where(Goal.start_year <= YEAR, or_(Goal.end_year.is_(None), Goal.end_year >= YEAR))
    if statuses is not None:
        stmt = stmt.where(Goal.status.in_(statuses))
    return stmt


def scoped_goals(
    principal: Principal,
    unit_ids: set[uuid.UUID] | None,
    year: int | None,
    as_of: date,
    statuses: tuple[Lifecycle, ...] | None = None,
    levels: Collection[UnitKind] | None = None,
) -> tuple[Select[Any], dict[str, Any]]:
    """The goals of the units and year asked about that stood on `as_of` (decided by then, or drafts) and the
    caller may read: a statement built once for each shape of the question and of the caller's roles, and the
    values of its parameters."""
    stmt = _scoped_goals(unit_ids is not None, bool(levels), year is not None, statuses)
    params: dict[str, Any] = {"unit_ids": list(unit_ids or ()), "levels": list(levels or ()), **as_of_params(as_of)}
    if year is not None:
        params["year"] = year
    return GOALS_SEEN.narrow(stmt, principal), params


@derived
def _ids_of(goals: Select[Any]) -> Select[Any]:
    return goals.with_only_columns(Goal.id)


_CHAIN_GOAL_COLUMNS = (
    Goal.id,
    Goal.unit_id,
    Goal.title,
    Perspective.code.label("perspective"),
    Goal.financial,
    Goal.sdgs,
    Goal.status,
    Goal.start_year,
    Goal.end_year,
    Goal.parent_goal_id,
    Goal.parent_strategy_id,
)


@derived
def _chain_goals(goals: Select[Any]) -> AnySelect:
    return (
        goals.with_only_columns(*_CHAIN_GOAL_COLUMNS)
        .outerjoin(Perspective, Goal.perspective_id == Perspective.id)
        .order_by(OrgUnit.code, Goal.title, Goal.id)
    )


@derived
def _chain_indicators(goals: Select[Any]) -> Select[Any]:
    """The ids of the indicators of the goals and of the strategies named by the parameter `strategy_ids`."""
    return select(Indicator.id).where(
        or_(Indicator.goal_id.in_(_ids_of(goals)), Indicator.strategy_id.in_(bindparam("strategy_ids", expanding=True)))
    )


_PERSPECTIVES = select(Perspective.id, Perspective.code)
_STRATEGIES = (
    select(Strategy.id, Strategy.number, Strategy.title)
    .where(Strategy.plan_id == bindparam("plan_id"))
    .order_by(Strategy.number)
)


@functools.cache
def _plans_of_the_year() -> AnySelect:
    # A decided plan outranks a draft for the same years; then the newest.
    return (
        select(Plan.id, Plan.title, Plan.vision, Plan.start_year, Plan.end_year, Plan.status)
        .where(Plan.start_year <= YEAR, Plan.end_year >= YEAR, decided_by(Plan))
        .order_by((Plan.status == Lifecycle.draft).asc(), Plan.start_year.desc())
        .limit(1)
    )


def _point(standing: Standing | None) -> Point | None:
    if standing is None:
        return None
    return Point(
        period=standing.period, value=standing.value, value_women=standing.value_women, value_men=standing.value_men
    )


def _snapshot(c: IndicatorColour, history: list[Standing]) -> IndicatorSnapshot:
    i = c.indicator
    return IndicatorSnapshot(
        id=i.id,
        name=i.name,
        unit_of_measure=i.unit_of_measure,
        direction=i.direction,
        baseline_value=i.baseline_value,
        baseline_year=i.baseline_year,
        target=c.target,
        latest=_point(history[0] if history else None),
        previous=_point(history[1] if len(history) > 1 else None),
        trend=trend(i.direction, history),
        colour=c.colour,
    )


async def chain(
    session: AsyncSession,
    index: OrgIndex,
    principal: Principal,
    *,
    unit_code: str | None,
    year: int,
    period: ReportingPeriod,
    as_of: date,
    levels: Collection[UnitKind] | None = None,
) -> Chain:
    """The chain of `year` as at `as_of`: the plan and goals decided by then, each indicator's colour at
    `period` and its latest two values of periods ended by then."""
    connection = await session.connection()
    goal_stmt, params = scoped_goals(
        principal, scope_unit_ids(index, unit_code, with_ancestors=True), year, as_of, levels=levels
    )
    plan = (await connection.execute(PLANS_SEEN.narrow(_plans_of_the_year(), principal), params)).first()
    strategies = (await connection.execute(_STRATEGIES, {"plan_id": plan.id})).all() if plan else []
    goals = (await connection.execute(_chain_goals(goal_stmt), params)).all()
    params["strategy_ids"] = [s.id for s in strategies]
    ids = _chain_indicators(goal_stmt)
    indicators = await indicator_facts(session, ids, params)
    colours = await colours_at(session, indicators, ids, year, period, as_of, params)
    history = await latest_two(session, ids, as_of, params)

    by_owner: dict[uuid.UUID, list[IndicatorColour]] = defaultdict(list)
    for indicator in indicators:
        owner = indicator.goal_id or indicator.strategy_id
        assert owner is not None
        by_owner[owner].append(colours[indicator.id])

    def snapshots(owner: uuid.UUID) -> list[IndicatorSnapshot]:
        return [_snapshot(c, history.get(c.indicator.id, [])) for c in by_owner.get(owner, [])]

    nodes = {
        g.id: ChainGoal(
            id=g.id,
            unit_code=index.code(g.unit_id),
            level=index.by_id[g.unit_id].kind,
            title=g.title,
            perspective=g.perspective,
            financial=g.financial,
            sdgs=list(g.sdgs or []),
            status=g.status,
            start_year=g.start_year,
            end_year=g.end_year,
            orphan=is_orphan(g, index),
            colour=colour_of_goal(by_owner.get(g.id, [])),
            indicators=snapshots(g.id),
            children=[],
        )
        for g in goals
    }
    chain_strategies = {
        s.id: ChainStrategy(id=s.id, number=s.number, title=s.title, indicators=snapshots(s.id), goals=[])
        for s in strategies
    }
    unlinked: list[ChainGoal] = []
    for goal in goals:
        node = nodes[goal.id]
        if goal.parent_goal_id in nodes:
            nodes[goal.parent_goal_id].children.append(node)
        elif goal.parent_strategy_id in chain_strategies:
            chain_strategies[goal.parent_strategy_id].goals.append(node)
        else:
            unlinked.append(node)
    return Chain(
        unit_code=unit_code,
        year=year,
        period=period,
        as_of=as_of,
        plan=ChainPlan(
            id=plan.id,
            title=plan.title,
            vision=plan.vision,
            start_year=plan.start_year,
            end_year=plan.end_year,
            status=plan.status,
        )
        if plan
        else None,
        strategies=list(chain_strategies.values()),
        unlinked_goals=unlinked,
    )


@derived
def _fulfilment_goals(goals: Select[Any]) -> AnySelect:
    return goals.with_only_columns(Goal.id, Goal.unit_id, Goal.perspective_id)


async def fulfilment(
    session: AsyncSession,
    index: OrgIndex,
    principal: Principal,
    *,
    unit_code: str | None,
    year: int,
    period: ReportingPeriod,
    as_of: date,
) -> FulfilmentSummary:
    """Goals decided by `as_of` (closed ones too: they belong to the years they covered), by their colour
    at `period` of `year` as at `as_of`."""
    perspectives = {p_id: code for p_id, code in await read_rows(session, _PERSPECTIVES)}
    goal_stmt, params = scoped_goals(
        principal,
        scope_unit_ids(index, unit_code, with_ancestors=False),
        year,
        as_of,
        (Lifecycle.decided, Lifecycle.closed),
    )
    goals = list(await read_rows(session, _fulfilment_goals(goal_stmt), params))
    colours = await goal_colours(session, _ids_of(goal_stmt), year, period, as_of, params)

    counts: dict[tuple[str, str | None], Counter[Colour]] = defaultdict(Counter)
    for goal_id, unit_id, perspective_id in goals:
        key = (index.code(unit_id), perspectives.get(perspective_id) if perspective_id else None)
        counts[key][colours.get(goal_id, Colour.grey)] += 1
    rows = [
        FulfilmentRow(
            unit_code=unit,
            perspective=perspective,
            green=c[Colour.green],
            yellow=c[Colour.yellow],
            red=c[Colour.red],
            grey=c[Colour.grey],
            total=sum(c.values()),
        )
        for (unit, perspective), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]
    totals = Counter[Colour]()
    for c in counts.values():
        totals.update(c)
    return FulfilmentSummary(
        unit_code=unit_code,
        year=year,
        period=period,
        as_of=as_of,
        totals={colour: totals[colour] for colour in Colour},
        rows=rows,
    )


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / whole).quantize(SHARE, rounding=ROUND_HALF_UP) if whole else Decimal(0)


def _quality_goals(
    index: OrgIndex, unit_code: str | None, year: int | None, principal: Principal, as_of: date
) -> tuple[Select[Any], dict[str, Any]]:
    """The goals the quality report judges: drafts and goals decided by `as_of`. Closed goals count for a
    year they covered (closing has no date, and a goal closed later was in force then); without a year,
    the goals open today."""
    statuses = (Lifecycle.draft, Lifecycle.decided) if year is None else tuple(Lifecycle)
    return scoped_goals(principal, scope_unit_ids(index, unit_code, with_ancestors=False), year, as_of, statuses)


def _has_target_in_its_years() -> ColumnElement[bool]:
    """A goal is measurable when one of its indicators has a target for a year the goal runs."""
    return exists().where(
        Indicator.goal_id == Goal.id,
        IndicatorTarget.indicator_id == Indicator.id,
        IndicatorTarget.year >= Goal.start_year,
        or_(Goal.end_year.is_(None), IndicatorTarget.year <= Goal.end_year),
    )


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def quality_summary(
    session: AsyncSession,
    index: OrgIndex,
    *,
    unit_code: str | None,
    year: int | None,
    as_of: date,
    principal: Principal,
) -> QualityReport:
    """The quality report's counts and orphans without each goal's checks: what the documents show.

    Counted per unit in SQL and read as plain rows: the full answer builds an ORM object and a
    response model per goal, a third of a second on a region's 5,000 goals that no document reads."""
    goal_stmt, params = _quality_goals(index, unit_code, year, principal, as_of)
    orphan = orphan_in_sql(index)
    per_unit = await session.execute(
        goal_stmt.with_only_columns(
            OrgUnit.code,
            func.count(Goal.id),
            _count_where(_has_target_in_its_years()),
            _count_where(Goal.financial.is_(True)),
            _count_where(orphan),
        )
        .group_by(OrgUnit.code)
        .order_by(OrgUnit.code),
        params,
    )
    units = [
        _unit_quality(code, goals, int(measurable), int(financial), int(orphans))
        for code, goals, measurable, financial, orphans in per_unit
    ]
    orphans = await session.execute(
        goal_stmt.where(orphan)
        .with_only_columns(Goal.id, OrgUnit.code, Goal.title)
        .order_by(OrgUnit.code, Goal.title, Goal.id),
        params,
    )
    refs = [GoalRef(id=goal_id, unit_code=code, title=title) for goal_id, code, title in orphans]
    return _quality_report(unit_code, year, as_of, units, refs, goal_checks=None)


async def quality(
    session: AsyncSession,
    index: OrgIndex,
    *,
    unit_code: str | None,
    year: int | None,
    as_of: date,
    principal: Principal,
) -> QualityReport:
    goal_stmt, params = _quality_goals(index, unit_code, year, principal, as_of)
    goals = list(await session.scalars(goal_stmt.order_by(OrgUnit.code, Goal.title, Goal.id), params))
    goal_ids = _ids_of(goal_stmt)
    indicator_rows = await session.execute(
        select(Indicator.goal_id, func.count(Indicator.id), func.count(Indicator.baseline_value))
        .where(Indicator.goal_id.in_(goal_ids))
        .group_by(Indicator.goal_id),
        params,
    )
    indicator_counts = {goal_id: (n, with_baseline) for goal_id, n, with_baseline in indicator_rows}
    targeted = set(
        await session.scalars(select(Goal.id).where(Goal.id.in_(goal_ids), _has_target_in_its_years()), params)
    )

    checks_list: list[GoalQuality] = []
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    orphans: list[GoalRef] = []
    for goal in goals:
        n, with_baseline = indicator_counts.get(goal.id, (0, 0))
        orphan = is_orphan(goal, index)
        checks = QualityChecks(
            has_indicator=n > 0,
            has_target=goal.id in targeted,
            has_baseline=with_baseline > 0,
            time_bound=goal.end_year is not None,
            links_upward=not orphan,
            decided=goal.status is not Lifecycle.draft,
        )
        measurable = checks.has_indicator and checks.has_target
        code = index.code(goal.unit_id)
        checks_list.append(
            GoalQuality(
                goal_id=goal.id,
                unit_code=code,
                title=goal.title,
                status=goal.status,
                financial=goal.financial,
                checks=checks,
                measurable=measurable,
            )
        )
        per_unit[code].update(goals=1, measurable=int(measurable), financial=int(goal.financial), orphans=int(orphan))
        if orphan:
            orphans.append(GoalRef(id=goal.id, unit_code=code, title=goal.title))
    units = [
        _unit_quality(code, c["goals"], c["measurable"], c["financial"], c["orphans"])
        for code, c in sorted(per_unit.items())
    ]
    return _quality_report(unit_code, year, as_of, units, orphans, goal_checks=checks_list)


def _unit_quality(code: str, goals: int, measurable: int, financial: int, orphans: int) -> UnitQuality:
    return UnitQuality(
        unit_code=code,
        goals=goals,
        measurable=measurable,
        measurable_share=_share(measurable, goals),
        financial_goals=financial,
        orphans=orphans,
    )


def _quality_report(
    unit_code: str | None,
    year: int | None,
    as_of: date,
    units: list[UnitQuality],
    orphans: list[GoalRef],
    goal_checks: list[GoalQuality] | None,
) -> QualityReport:
    """The region's or a unit's figures are the sums of its units'."""
    total, measurable = sum(u.goals for u in units), sum(u.measurable for u in units)
    return QualityReport(
        unit_code=unit_code,
        year=year,
        as_of=as_of,
        goals=total,
        measurable=measurable,
        measurable_share=_share(measurable, total),
        orphans=orphans,
        units=units,
        goal_checks=goal_checks,
    )
