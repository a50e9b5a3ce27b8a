"""What of the audit record belonged to a date: the conditions every read model answers "as at" by.

Each is judged by the record's own dates (received, decided, reviewed, noted, finished, issued,
reported), never by when a row was written (shared/asof.py). Rules chosen where a date is missing:
- a report without `received_on` counts as received at the end of its audit year;
- a statement without `issued_on` counts as issued on 30 June of the year after its year, the last
  day the council can try the accountability for that year (KL 5:25), so never before it could be;
- an action finished (done or cancelled) after the date was still under way then: it reads
  `in_progress` as at that date, and is overdue if its deadline had passed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, literal, or_, select

from services.audit.models import (
    AccountabilityStatement,
    Action,
    ActionRecommendation,
    ActionStatus,
    AuditRecipient,
    AuditReport,
    ControlPlan,
    Lifecycle,
    Recommendation,
    RecommendationResponse,
    RecommendationStatus,
)
from shared.asof import last_month_ended

UNFINISHED = (ActionStatus.planned, ActionStatus.in_progress)
STATEMENT_LATEST_DAY = (6, 30)


def _last_year_ended(as_of: date) -> int:
    ended_year, ended_month = last_month_ended(as_of)
    return ended_year if ended_month == 12 else ended_year - 1


def report_received(as_of: date) -> ColumnElement[bool]:
    """The audit report had arrived by `as_of`."""
    undated_but_its_year_ended = and_(
        AuditReport.received_on.is_(None), AuditReport.audit_year <= _last_year_ended(as_of)
    )
    return or_(AuditReport.received_on <= as_of, undated_but_its_year_ended)


def recommendation_received(as_of: date) -> ColumnElement[bool]:
    """For queries on recommendations without the report joined."""
    return exists().where(AuditReport.id == Recommendation.report_id, report_received(as_of))


def recommendation_closed(as_of: date) -> ColumnElement[bool]:
    """Closed by a verdict on or before `as_of`; one closed later was still open then."""
    return and_(Recommendation.status == RecommendationStatus.closed, Recommendation.closed_on <= as_of)


def recommendation_open(as_of: date) -> ColumnElement[bool]:
    return ~recommendation_closed(as_of)


def response_decided(as_of: date) -> ColumnElement[bool]:
    return and_(RecommendationResponse.status == Lifecycle.decided, RecommendationResponse.decided_on <= as_of)


def decided_response_exists(as_of: date) -> ColumnElement[bool]:
    return exists().where(RecommendationResponse.recommendation_id == Recommendation.id, response_decided(as_of))


def action_finished(as_of: date) -> ColumnElement[bool]:
    return and_(Action.status.not_in(UNFINISHED), Action.finished_on <= as_of)


def action_status(as_of: date) -> Any:
    """The action's status as it stood on `as_of`."""
    return case((action_finished(as_of), Action.status), else_=_unfinished_status()).label("status_as_of")


def _unfinished_status() -> Any:
    return case((Action.status.in_(UNFINISHED), Action.status), else_=literal(ActionStatus.in_progress.value))


def action_overdue(as_of: date) -> ColumnElement[bool]:
    """Its deadline had passed on `as_of` and it was not done (nor cancelled) by then."""
    return and_(Action.deadline_on < as_of, ~action_finished(as_of))


def action_received(as_of: date) -> ColumnElement[bool]:
    """The action answers a recommendation of a report that had arrived by `as_of`; one on later reports
    did not exist yet."""
    return exists().where(
        ActionRecommendation.action_id == Action.id,
        Recommendation.id == ActionRecommendation.recommendation_id,
        AuditReport.id == Recommendation.report_id,
        report_received(as_of),
    )


def statement_issued(as_of: date) -> ColumnElement[bool]:
    month, day = STATEMENT_LATEST_DAY
    last_undated_year = as_of.year - 1 if (as_of.month, as_of.day) >= (month, day) else as_of.year - 2
    undated = and_(AccountabilityStatement.issued_on.is_(None), AccountabilityStatement.year <= last_undated_year)
    return or_(AccountabilityStatement.issued_on <= as_of, undated)


def plan_in_force(as_of: date) -> ColumnElement[bool]:
    """The control plan of `as_of`'s year, once its body had decided it."""
    return and_(
        ControlPlan.year == as_of.year, ControlPlan.status == Lifecycle.decided, ControlPlan.decided_on <= as_of
    )


def bodies_query(as_of: date) -> Any:
    """Every body with audit material as at `as_of`, in one query."""
    return (
        select(AuditRecipient.body_code)
        .join(AuditReport, AuditReport.id == AuditRecipient.report_id)
        .where(report_received(as_of))
        .union(
            select(Action.body_code).where(action_received(as_of)),
            select(AccountabilityStatement.body_code).where(statement_issued(as_of)),
            select(ControlPlan.body_code.label("body_code")).where(plan_in_force(as_of)),
        )
    )
