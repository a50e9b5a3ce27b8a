"""HTTP routes for indicators, their targets and their measurements."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.goals import queries
from services.goals.access import INDICATOR_CHANGE, INDICATOR_READ, INDICATORS_SEEN, MEASURE
from services.goals.dependencies import (
    a_measurement,
    a_new_indicator,
    an_indicator,
    an_indicator_to_change,
    an_indicator_to_measure,
)
from services.goals.models import HistoryEntry, Indicator, Measurement
from services.goals.rules import indicators as rules
from services.goals.rules.indicators import Owner
from services.goals.schemas import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorSeries,
    IndicatorUpdate,
    MeasurementIn,
    MeasurementRead,
    MeasurementUpdate,
    TargetsIn,
)
from shared.asof import today_in_sweden
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.db import ReadConnection
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.people import name_people
from shared.routes import add_history_route

indicators = APIRouter(prefix="/indicators", tags=["indicators"], route_class=GuardedRoute)
measurements = APIRouter(prefix="/measurements", tags=["indicators"], route_class=GuardedRoute)
# What the loaders find: the record with what its indicator measures.
OwnedIndicator = tuple[Indicator, Owner]
OwnedMeasurement = tuple[Measurement, Owner]
ReadableIndicator = Annotated[OwnedIndicator, guard(INDICATOR_READ, an_indicator)]
ChangeableIndicator = Annotated[OwnedIndicator, guard(INDICATOR_CHANGE, an_indicator_to_change)]
MeasuredValue = Annotated[OwnedMeasurement, guard(MEASURE, a_measurement)]


async def _read(session: DbSession, indicator: Indicator, response: Response) -> IndicatorRead:
    set_etag(response, indicator)
    targets = await rules.targets_of(session, [indicator.id])
    return rules.indicator_read(indicator, targets[indicator.id])


@indicators.get(
    "",
    operation_id="list_indicators",
    summary="List indicators, by goal, strategy, Kolada KPI, unit or external code",
    description=(
        "Every indicator the caller may read, by name; drafts (those measuring a draft goal or a draft plan's "
        "strategy) only to those who read that unit's drafts. The filters combine; one that names nothing "
        "(a goal or strategy that does not exist or is hidden, a KPI or code no indicator has) gives an empty "
        "page. A `unit` code that names no unit is a 422."
    ),
    response_model=Page[IndicatorRead],
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_indicators(
    conn: ReadConnection,
    principal: CurrentPrincipal,
    page: Pagination,
    order: queries.IndicatorListing,
    goal: Annotated[uuid.UUID | None, Query(description="Only the indicators of this goal")] = None,
    strategy: Annotated[uuid.UUID | None, Query(description="Only the indicators of this strategy")] = None,
    kolada_kpi: Annotated[
        str | None, Query(pattern=r"^[A-Z][0-9]{5}$", description="Only those following this Kolada KPI, e.g. N00002")
    ] = None,
    external_code: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only those with this external code")
    ] = None,
    unit: Annotated[
        str | None,
        Query(
            max_length=16,
            description="Only those measuring this unit's goals (the council's: also the plan's strategies), "
            "e.g. HSN; the units below it only with `subtree`",
        ),
    ] = None,
    subtree: Annotated[bool, Query(description="With `unit`: include the units below it")] = False,
) -> Response:
    return await queries.list_indicators(
        conn,
        page,
        principal,
        goal=goal,
        strategy=strategy,
        kolada_kpi=kolada_kpi,
        external_code=external_code,
        unit=unit,
        subtree=subtree,
        order=order,
    )


@indicators.get(
    "/series",
    operation_id="list_indicator_series",
    summary="Indicators by id, each with its targets, every measured value and its colour today",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_indicator_series(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    ids: Annotated[list[uuid.UUID] | None, Query(max_length=500, description="These indicators")] = None,
    goals: Annotated[
        list[uuid.UUID] | None, Query(max_length=500, description="And the indicators of these goals")
    ] = None,
) -> Page[IndicatorSeries]:
    """Those the caller may not read are left out, as if absent."""
    visible = INDICATORS_SEEN.where(principal)
    return await rules.indicator_series(session, page, ids or [], goals or [], visible, today_in_sweden())


@indicators.post(
    "",
    operation_id="create_indicator",
    summary="Add an indicator to a goal or strategy",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Locked),
)
async def create_indicator(
    asked: Annotated[tuple[IndicatorCreate, Owner], guard(INDICATOR_CHANGE, a_new_indicator)],
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
) -> IndicatorRead:
    data, owner = asked
    indicator = await rules.create_indicator(session, name_people(data, principal), owner)
    response.headers["Location"] = f"/indicators/{indicator.id}"
    return await _read(session, indicator, response)


@indicators.get(
    "/{indicator_id}",
    operation_id="get_indicator",
    summary="One indicator with its targets",
    responses=error_responses(Forbidden, NotFound),
)
async def get_indicator(found: ReadableIndicator, session: DbSession, response: Response) -> IndicatorRead:
    return await _read(session, found[0], response)


@indicators.patch(
    "/{indicator_id}",
    operation_id="update_indicator",
    summary="Change an indicator",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_indicator(
    found: ChangeableIndicator,
    data: IndicatorUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorRead:
    indicator, _ = found
    check_if_match(if_match, indicator)
    await rules.update_indicator(session, indicator, name_people(data, principal, indicator))
    return await _read(session, indicator, response)


@indicators.put(
    "/{indicator_id}/targets",
    operation_id="set_indicator_targets",
    summary="Set target values per year (null removes a year's target)",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def set_indicator_targets(
    found: ChangeableIndicator,
    data: TargetsIn,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorRead:
    indicator, owner = found
    check_if_match(if_match, indicator)
    await rules.set_targets(session, indicator, data.targets, owner)
    return await _read(session, indicator, response)


@indicators.get(
    "/{indicator_id}/measurements",
    operation_id="list_measurements",
    summary="The indicator's measured values, oldest first",
    responses=error_responses(Forbidden, NotFound),
)
async def list_measurements(found: ReadableIndicator, session: DbSession, page: Pagination) -> Page[MeasurementRead]:
    return await rules.list_measurements(session, page, found[0])


@indicators.post(
    "/{indicator_id}/measurements",
    operation_id="create_measurement",
    summary="Record a value for a period",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def create_measurement(
    found: Annotated[OwnedIndicator, guard(MEASURE, an_indicator_to_measure)],
    data: MeasurementIn,
    session: DbSession,
    response: Response,
) -> MeasurementRead:
    measurement = await rules.create_measurement(session, found[0], data)
    set_etag(response, measurement)
    response.headers["Location"] = f"/measurements/{measurement.id}"
    return MeasurementRead.model_validate(measurement)


@measurements.patch(
    "/{measurement_id}",
    operation_id="update_measurement",
    summary="Change a measured value",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_measurement(
    found: MeasuredValue,
    data: MeasurementUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> MeasurementRead:
    measurement, _ = found
    check_if_match(if_match, measurement)
    await rules.update_measurement(session, measurement, data)
    set_etag(response, measurement)
    return MeasurementRead.model_validate(measurement)


@measurements.delete(
    "/{measurement_id}",
    operation_id="delete_measurement",
    summary="Remove a measured value",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def delete_measurement(found: MeasuredValue, session: DbSession, if_match: IfMatch = None) -> None:
    measurement, _ = found
    check_if_match(if_match, measurement)
    await rules.delete_measurement(session, measurement)


def _the_indicator(found: OwnedIndicator) -> Indicator:
    return found[0]


add_history_route(
    indicators,
    "/{indicator_id}/history",
    declared=INDICATOR_READ,
    load=an_indicator,
    history_model=HistoryEntry,
    operation_id="get_indicator_history",
    what="an indicator",
    tracked=_the_indicator,
)
