"""HTTP routes for indicators, their targets and their measurements."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.goals.access import WRITE_MEASUREMENTS_SCOPE, ensure_can_measure, ensure_changeable, ensure_readable
from services.goals.models import HistoryEntry, Indicator, Measurement
from services.goals.rules import indicators as rules
from services.goals.rules.common import OrgIndex
from services.goals.schemas import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    MeasurementIn,
    MeasurementRead,
    MeasurementUpdate,
    TargetsIn,
)
from shared.auth.access import (
    access,
    change_record,
    read_record,
    rule,
    scope,
    unit_role,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import UnitRole
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination, paginate

indicators = APIRouter(prefix="/indicators", tags=["indicators"])
measurements = APIRouter(prefix="/measurements", tags=["indicators"])
# An indicator measures a goal (its unit) or a strategy (the council's), and is a draft while it is.
OWNER = "the measured goal's unit (the council for a strategy)"
READ = read_record(OWNER)
CHANGE = change_record(OWNER)
MEASURE = rule(unit_role(UnitRole.editor, OWNER), scope(WRITE_MEASUREMENTS_SCOPE)).hiding_drafts_of(OWNER)


async def _indicator_for_reading(
    session: DbSession, principal: CurrentPrincipal, indicator_id: uuid.UUID
) -> tuple[Indicator, rules.Owner]:
    indicator = await rules.get_indicator(session, indicator_id)
    owner = await rules.owner_of(session, indicator, await OrgIndex.load(session))
    ensure_readable(principal, owner.unit_code, owner.status, "indicator")
    return indicator, owner


async def _read(session: DbSession, indicator: Indicator) -> IndicatorRead:
    targets = await rules.targets_of(session, [indicator.id])
    return rules.indicator_read(indicator, targets[indicator.id])


@indicators.get(
    "",
    operation_id="list_indicators",
    summary="The indicators of a goal or a strategy",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def list_indicators(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    goal: Annotated[uuid.UUID | None, Query()] = None,
    strategy: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[IndicatorRead]:
    require_signed_in_reader(principal)
    owner = await rules.owner_for(session, await OrgIndex.load(session), goal, strategy, fields=("goal", "strategy"))
    ensure_readable(principal, owner.unit_code, owner.status, "goal or strategy")
    found = await paginate(session, rules.indicators_query(goal, strategy), page, lambda row: row[0])
    targets = await rules.targets_of(session, [i.id for i in found.items])
    return Page[IndicatorRead](
        items=[rules.indicator_read(i, targets[i.id]) for i in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )


@indicators.post(
    "",
    operation_id="create_indicator",
    summary="Add an indicator to a goal or strategy",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Locked),
    **access(CHANGE),
)
async def create_indicator(
    data: IndicatorCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> IndicatorRead:
    owner = await rules.owner_for(session, await OrgIndex.load(session), data.goal_id, data.strategy_id)
    ensure_readable(principal, owner.unit_code, owner.status, "goal or strategy")
    ensure_changeable(principal, owner.unit_code, owner.status, "goal or strategy")
    indicator = await rules.create_indicator(session, data, owner)
    set_etag(response, indicator)
    response.headers["Location"] = f"/indicators/{indicator.id}"
    return await _read(session, indicator)


@indicators.get(
    "/{indicator_id}",
    operation_id="get_indicator",
    summary="One indicator with its targets",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_indicator(
    indicator_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> IndicatorRead:
    require_signed_in_reader(principal)
    indicator, _ = await _indicator_for_reading(session, principal, indicator_id)
    set_etag(response, indicator)
    return await _read(session, indicator)


@indicators.patch(
    "/{indicator_id}",
    operation_id="update_indicator",
    summary="Change an indicator",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(CHANGE),
)
async def update_indicator(
    indicator_id: uuid.UUID,
    data: IndicatorUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorRead:
    indicator, owner = await _indicator_for_reading(session, principal, indicator_id)
    ensure_changeable(principal, owner.unit_code, owner.status, "goal or strategy")
    check_if_match(if_match, indicator)
    await rules.update_indicator(session, indicator, data)
    set_etag(response, indicator)
    return await _read(session, indicator)


@indicators.put(
    "/{indicator_id}/targets",
    operation_id="set_indicator_targets",
    summary="Set target values per year (null removes a year's target)",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(CHANGE),
)
async def set_indicator_targets(
    indicator_id: uuid.UUID,
    data: TargetsIn,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorRead:
    indicator, owner = await _indicator_for_reading(session, principal, indicator_id)
    ensure_changeable(principal, owner.unit_code, owner.status, "goal or strategy")
    check_if_match(if_match, indicator)
    await rules.set_targets(session, indicator, data.targets, owner)
    set_etag(response, indicator)
    return await _read(session, indicator)


@indicators.get(
    "/{indicator_id}/measurements",
    operation_id="list_measurements",
    summary="The indicator's measured values, oldest first",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def list_measurements(
    indicator_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[MeasurementRead]:
    require_signed_in_reader(principal)
    await _indicator_for_reading(session, principal, indicator_id)
    return await paginate(
        session, rules.measurements_query(indicator_id), page, lambda row: MeasurementRead.model_validate(row[0])
    )


@indicators.post(
    "/{indicator_id}/measurements",
    operation_id="create_measurement",
    summary="Record a value for a period",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
    **access(MEASURE),
)
async def create_measurement(
    indicator_id: uuid.UUID, data: MeasurementIn, session: DbSession, principal: CurrentPrincipal, response: Response
) -> MeasurementRead:
    indicator, owner = await _indicator_for_reading(session, principal, indicator_id)
    ensure_can_measure(principal, owner.unit_code)
    measurement = await rules.create_measurement(session, indicator, data)
    set_etag(response, measurement)
    response.headers["Location"] = f"/measurements/{measurement.id}"
    return MeasurementRead.model_validate(measurement)


async def _measurement_for_change(
    session: DbSession, principal: CurrentPrincipal, measurement_id: uuid.UUID, if_match: str | None
) -> Measurement:
    measurement = await rules.get_measurement(session, measurement_id)
    _, owner = await _indicator_for_reading(session, principal, measurement.indicator_id)
    ensure_can_measure(principal, owner.unit_code)
    check_if_match(if_match, measurement)
    return measurement


@measurements.patch(
    "/{measurement_id}",
    operation_id="update_measurement",
    summary="Change a measured value",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(MEASURE),
)
async def update_measurement(
    measurement_id: uuid.UUID,
    data: MeasurementUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> MeasurementRead:
    measurement = await _measurement_for_change(session, principal, measurement_id, if_match)
    await rules.update_measurement(session, measurement, data)
    set_etag(response, measurement)
    return MeasurementRead.model_validate(measurement)


@measurements.delete(
    "/{measurement_id}",
    operation_id="delete_measurement",
    summary="Remove a measured value",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(MEASURE),
)
async def delete_measurement(
    measurement_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, if_match: IfMatch = None
) -> None:
    measurement = await _measurement_for_change(session, principal, measurement_id, if_match)
    await session.delete(measurement)
    await session.flush()


@indicators.get(
    "/{indicator_id}/history",
    operation_id="get_indicator_history",
    summary="Every change to an indicator",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_indicator_history(
    indicator_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    indicator, owner = await _indicator_for_reading(session, principal, indicator_id)
    public_only = not principal.can_read(owner.unit_code, decided=False)
    return await read_history(session, HistoryEntry, indicator, page, public_only=public_only)
