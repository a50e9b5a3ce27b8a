"""The caller's tasks in the goals service: assignments and activities they own, measurements they report,
report sections they write.

Five statements whatever the number of records: the caller's assignments, their activities, the
indicators they report, those indicators' latest measurements, and their sections not yet ready.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.goals.models import (
    Activity,
    ActivityStatus,
    Assignment,
    AssignmentStatus,
    EditionStatus,
    Goal,
    Indicator,
    Measurement,
    OrgUnit,
    PeriodKind,
    ReportEdition,
    ReportKind,
    ReportSection,
)
from shared.asof import month_end
from shared.auth.policy import Principal
from shared.tasks import Horizon, Owned, PeopleTasks, ServiceTasks, TaskKind, by_person, soonest_first, whose

SERVICE = "goals"
ASSIGNMENTS_OPEN = (AssignmentStatus.not_started, AssignmentStatus.in_progress)
ACTIVITIES_OPEN = (ActivityStatus.planned, ActivityStatus.in_progress)
TERTIAL_END_MONTHS = (4, 8, 12)


async def my_tasks(
    conn: AsyncConnection,
    caller: Principal,
    horizon: Horizon,
    *,
    activities_seen: ColumnElement[bool],
    indicators_seen: ColumnElement[bool],
) -> ServiceTasks:
    owned = await _owned(conn, caller.subject, horizon, activities_seen, indicators_seen)
    return ServiceTasks(
        as_of=horizon.as_of, items=soonest_first([o.task for o in owned if horizon.holds(o.task.due_on)])
    )


async def peoples_tasks(
    conn: AsyncConnection,
    horizon: Horizon,
    *,
    activities_seen: ColumnElement[bool],
    indicators_seen: ColumnElement[bool],
) -> PeopleTasks:
    """Every named person's tasks, in the same four statements as one person's."""
    owned = await _owned(conn, None, horizon, activities_seen, indicators_seen)
    return PeopleTasks(as_of=horizon.as_of, people=by_person(owned, horizon))


async def _owned(
    conn: AsyncConnection,
    subject: str | None,
    horizon: Horizon,
    activities_seen: ColumnElement[bool],
    indicators_seen: ColumnElement[bool],
) -> list[Owned]:
    return [
        *await _assignments(conn, subject, horizon),
        *await _activities(conn, subject, horizon, activities_seen),
        *await _measurements(conn, subject, horizon, indicators_seen),
        *await _sections(conn, subject, horizon),
    ]


async def _sections(conn: AsyncConnection, subject: str | None, horizon: Horizon) -> list[Owned]:
    """The report sections the person writes, in open editions, until they are marked ready. An edition keeps
    no deadline, so neither does its section: it stays in the list, undated, until it is ready."""
    rows = await conn.execute(
        select(
            ReportSection.owner_subject,
            ReportSection.owner_name,
            ReportSection.id,
            ReportSection.edition_id,
            ReportSection.topic,
            OrgUnit.code,
            ReportEdition.kind,
            ReportEdition.year,
            ReportEdition.period,
        )
        .join(ReportEdition, ReportEdition.id == ReportSection.edition_id)
        .join(OrgUnit, OrgUnit.id == ReportSection.unit_id)
        .where(
            whose(ReportSection.owner_subject, subject),
            ReportSection.ready.is_(False),
            ReportEdition.status == EditionStatus.open,
        )
    )
    owned = []
    for who, name, id_, edition_id, topic, unit_code, kind, year, period in rows:
        report = f"the annual report {year}" if kind is ReportKind.annual else f"the interim report {year} {period}"
        title = f"Write {unit_code}'s {topic} text for {report} and mark it ready"
        link = f"/api/goals/report-editions/{edition_id}/sections/{id_}"
        owned.append(Owned(who, name, horizon.task(TaskKind.report_section, title, link, None, SERVICE)))
    return owned


async def _assignments(conn: AsyncConnection, subject: str | None, horizon: Horizon) -> list[Owned]:
    rows = await conn.execute(
        select(
            Assignment.owner_subject, Assignment.owner_name, Assignment.id, Assignment.title, Assignment.deadline_on
        ).where(whose(Assignment.owner_subject, subject), Assignment.status.in_(ASSIGNMENTS_OPEN))
    )
    return [
        Owned(who, name, horizon.task(TaskKind.assignment, title, f"/api/goals/assignments/{id_}", due_on, SERVICE))
        for who, name, id_, title, due_on in rows
    ]


async def _activities(
    conn: AsyncConnection, subject: str | None, horizon: Horizon, seen: ColumnElement[bool]
) -> list[Owned]:
    rows = await conn.execute(
        select(Activity.owner_subject, Activity.owner_name, Activity.id, Activity.title, Activity.end_on)
        .join(Goal, Goal.id == Activity.goal_id)
        .where(whose(Activity.owner_subject, subject), Activity.status.in_(ACTIVITIES_OPEN), seen)
    )
    return [
        Owned(who, name, horizon.task(TaskKind.activity, title, f"/api/goals/activities/{id_}", due_on, SERVICE))
        for who, name, id_, title, due_on in rows
    ]


async def _measurements(
    conn: AsyncConnection, subject: str | None, horizon: Horizon, seen: ColumnElement[bool]
) -> list[Owned]:
    """For each indicator the person reports, the first period after its latest value, in its own rhythm."""
    indicators = (
        await conn.execute(
            select(
                Indicator.reporter_subject,
                Indicator.reporter_name,
                Indicator.id,
                Indicator.name,
                Indicator.baseline_year,
            ).where(whose(Indicator.reporter_subject, subject), seen)
        )
    ).all()
    latest = await _latest_periods(conn, [row.id for row in indicators])
    owned = []
    for who, reporter, id_, name, baseline_year in indicators:
        label, due_on = next_period(latest.get(id_), baseline_year, horizon.as_of)
        link = f"/api/goals/indicators/{id_}/measurements"
        task = horizon.task(TaskKind.measurement, f"Report {name} for {label}", link, due_on, SERVICE)
        owned.append(Owned(who, reporter, task))
    return owned


async def _latest_periods(
    conn: AsyncConnection, indicator_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int, PeriodKind]]:
    if not indicator_ids:
        return {}
    rows = await conn.execute(
        select(Measurement.indicator_id, Measurement.year, Measurement.period_end_month, Measurement.period_kind)
        .where(Measurement.indicator_id.in_(indicator_ids), Measurement.value.is_not(None))
        .order_by(Measurement.indicator_id, Measurement.year.desc(), Measurement.period_end_month.desc())
    )
    latest: dict[uuid.UUID, tuple[int, int, PeriodKind]] = {}
    for indicator_id, year, end_month, kind in rows:
        latest.setdefault(indicator_id, (year, end_month, kind))
    return latest


def next_period(latest: tuple[int, int, PeriodKind] | None, baseline_year: int | None, as_of: date) -> tuple[str, date]:
    """The period whose value is due next, named as the measurements name it, and its end (when it is due).

    After a value, the next period of the same kind; with none, the year after the baseline, or else the
    year `as_of` falls in. A value is due at its period's end: once the period is over it can be reported.
    """
    if latest is None:
        year = baseline_year + 1 if baseline_year is not None else as_of.year
        return str(year), date(year, 12, 31)
    year, end_month, kind = latest
    if kind is PeriodKind.month:
        year, month = (year + 1, 1) if end_month == 12 else (year, end_month + 1)
        return f"{year}-{month:02d}", month_end(year, month)
    if kind is PeriodKind.tertial:
        later = [m for m in TERTIAL_END_MONTHS if m > end_month]
        year, month = (year, later[0]) if later else (year + 1, TERTIAL_END_MONTHS[0])
        return f"{year}-T{TERTIAL_END_MONTHS.index(month) + 1}", month_end(year, month)
    return str(year + 1), date(year + 1, 12, 31)
