"""What of the audit record belonged to a date: the conditions every read model answers "as at" by.

Each is judged by the record's own dates (received, decided, reviewed, noted, finished, issued,
reported), never by when a row was written (shared/asof.py). Rules chosen where a date is missing:
- a report without `received_on` counts as received at the end of its audit year;
- a statement without `issued_on` counts as issued on 30 June of the year after its year, the last
  day the council can try the accountability for that year (KL 5:25), so never before it could be;
- an action finished (done or cancelled) after the date was still under way then: it reads
  `in_progress` as at that date, and is overdue if its deadline had passed.

The date is a parameter of the statements (the values from `as_of_params`), so that a read model's statements
are built once, not on every request (issue 17).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, Integer, and_, bindparam, case, exists, literal, or_, select

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
    ReportingPeriod,
)
from shared.asof import last_month_ended, period_end

UNFINISHED = (ActionStatus.planned, ActionStatus.in_progress)
STATEMENT_LATEST_DAY = (6, 30)


AS_OF = bindparam("as_of", type_=Date)
AS_OF_YEAR = bindparam("as_of_year", type_=Integer)
LAST_YEAR_ENDED = bindparam("last_year_ended", type_=Integer)
LAST_UNDATED_STATEMENT_YEAR = bindparam("last_undated_statement_year", type_=Integer)
ENDED_PERIODS: BindParameter[Any] = bindparam("ended_periods", expanding=True)


def as_of_params(as_of: date) -> dict[str, Any]:
    """The values of the parameters above for `as_of`."""
    ended_year, ended_month = last_month_ended(as_of)
    month, day = STATEMENT_LATEST_DAY
    return {
        "as_of": as_of,
        "as_of_year": as_of.year,
        "last_year_ended": ended_year if ended_month == 12 else ended_year - 1,
        "last_undated_statement_year": as_of.year - 1 if (as_of.month, as_of.day) >= (month, day) else as_of.year - 2,
        # A control result speaks for its period, so the T2 results, reported in September with the T2 report,
        # belong to 31 August (shared/asof.py).
        "ended_periods": [p for p in ReportingPeriod if period_end(as_of.year, p.value) <= as_of],
    }


def report_received() -> ColumnElement[bool]:
    """The audit report had arrived by AS_OF."""
    undated_but_its_year_ended = and_(AuditReport.received_on.is_(None), AuditReport.audit_year <= LAST_YEAR_ENDED)
    return or_(AuditReport.received_on <= AS_OF, undated_but_its_year_ended)


def recommendation_received() -> ColumnElement[bool]:
    """For queries on recommendations without the report joined."""
    return exists().where(AuditReport.id == Recommendation.report_id, report_received())


def recommendation_closed() -> ColumnElement[bool]:
    """Closed by a verdict on or before AS_OF; one closed later was still open then."""
    return and_(Recommendation.status == RecommendationStatus.closed, Recommendation.closed_on <= AS_OF)


def recommendation_open() -> ColumnElement[bool]:
    return ~recommendation_closed()


def response_decided() -> ColumnElement[bool]:
    return and_(RecommendationResponse.status == Lifecycle.decided, RecommendationResponse.decided_on <= AS_OF)


def decided_response_exists() -> ColumnElement[bool]:
    return exists().where(RecommendationResponse.recommendation_id == Recommendation.id, response_decided())


def action_finished() -> ColumnElement[bool]:
    return and_(Action.status.not_in(UNFINISHED), Action.finished_on <= AS_OF)


def action_status() -> Any:
    """The action's status as it stood on AS_OF."""
    return case((action_finished(), Action.status), else_=_unfinished_status()).label("status_as_of")


def _unfinished_status() -> Any:
    return case((Action.status.in_(UNFINISHED), Action.status), else_=literal(ActionStatus.in_progress.value))


def action_overdue() -> ColumnElement[bool]:
    """Its deadline had passed on AS_OF and it was not done (nor cancelled) by then."""
    return and_(Action.deadline_on < AS_OF, ~action_finished())


def action_received() -> ColumnElement[bool]:
    """The action answers a recommendation of a report that had arrived by AS_OF; one on later reports
    did not exist yet."""
    return exists().where(
        ActionRecommendation.action_id == Action.id,
        Recommendation.id == ActionRecommendation.recommendation_id,
        AuditReport.id == Recommendation.report_id,
        report_received(),
    )


def statement_issued() -> ColumnElement[bool]:
    undated = and_(
        AccountabilityStatement.issued_on.is_(None), AccountabilityStatement.year <= LAST_UNDATED_STATEMENT_YEAR
    )
    return or_(AccountabilityStatement.issued_on <= AS_OF, undated)


def plan_in_force() -> ColumnElement[bool]:
    """The control plan of AS_OF's year, once its body had decided it."""
    return and_(
        ControlPlan.year == AS_OF_YEAR, ControlPlan.status == Lifecycle.decided, ControlPlan.decided_on <= AS_OF
    )


def bodies_query() -> Any:
    """Every body with audit material as at AS_OF, in one query."""
    return (
        select(AuditRecipient.body_code)
        .join(AuditReport, AuditReport.id == AuditRecipient.report_id)
        .where(report_received())
        .union(
            select(Action.body_code).where(action_received()),
            select(AccountabilityStatement.body_code).where(statement_issued()),
            select(ControlPlan.body_code.label("body_code")).where(plan_in_force()),
        )
    )
