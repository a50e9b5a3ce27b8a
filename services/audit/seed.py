"""Demo data of the audit service, drawn from the seed documents; loading it twice adds nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import AccountabilityStatement, AuditRecipient, ControlPlan, Recommendation
from services.audit.rules import accountability, followup, responses
from services.audit.rules import actions as action_rules
from services.audit.rules import internal_control as control_rules
from services.audit.rules import reports as report_rules
from services.audit.schemas import (
    ActionCreate,
    ControlIn,
    ControlPlanCreate,
    ControlResultIn,
    ProgressNoteIn,
    ReportCreate,
    ResponseCreate,
    RiskIn,
    StatementCreate,
    VerdictCreate,
)
from services.audit.settings import AuditSettings
from shared.decisions import DecisionIn
from shared.demo import demo_goal_id, demo_indicator_id

DEMO = Path(__file__).parent / "demo"


async def seed(session: AsyncSession) -> dict[str, int]:
    """Each demo record is known by its natural key: a report by its first diary number, a statement by
    year and body, a control plan by body and year; one already there is skipped whole."""
    data = json.loads((DEMO / "audits.json").read_text(encoding="utf-8"))
    settings = AuditSettings()
    kinds = ("audit_report", "recommendation", "response", "verdict", "action", "statement", "control_plan")
    counts = dict.fromkeys(kinds, 0)
    known = set(await session.scalars(select(AuditRecipient.diary_number)))
    for entry in data["reports"]:
        report_in = ReportCreate.model_validate(entry["report"])
        if report_in.recipients[0].diary_number not in known:
            await _seed_report(session, entry, report_in, settings, counts)
    for raw in data["statements"]:
        statement = StatementCreate.model_validate(raw)
        if await _statement_exists(session, statement):
            continue
        await accountability.create_statement(session, statement, settings.diary_number_pattern)
        counts["statement"] += 1
    for raw in data["control_plans"]:
        if await _seed_control_plan(session, raw, settings):
            counts["control_plan"] += 1
    return counts


async def _seed_report(
    session: AsyncSession,
    entry: dict[str, Any],
    report_in: ReportCreate,
    settings: AuditSettings,
    counts: dict[str, int],
) -> None:
    report = await report_rules.create_report(session, report_in, settings.diary_number_pattern)
    rows = await session.execute(
        select(Recommendation.number, Recommendation).where(Recommendation.report_id == report.id)
    )
    by_number = {number: rec for number, rec in rows}
    counts["audit_report"] += 1
    counts["recommendation"] += len(by_number)
    for raw in entry["responses"]:
        rec = by_number[raw["recommendation"]]
        answer = await responses.create_response(
            session,
            rec,
            ResponseCreate(recommendation_id=rec.id, body_code=raw["body_code"], text=raw["text"]),
        )
        if raw.get("decision"):
            decision = DecisionIn.model_validate(raw["decision"])
            await responses.decide_response(session, answer, decision, settings.diary_number_pattern)
        counts["response"] += 1
    for raw in entry.get("verdicts", []):
        verdict = VerdictCreate.model_validate({k: v for k, v in raw.items() if k != "recommendation"})
        await followup.add_verdict(session, by_number[raw["recommendation"]], verdict)
        counts["verdict"] += 1
    for raw in entry["actions"]:
        fields = {k: v for k, v in raw.items() if k not in {"recommendations", "notes", "goals", "indicators"}}
        fields["recommendation_ids"] = [by_number[n].id for n in raw["recommendations"]]
        fields["goal_ids"] = [demo_goal_id(key) for key in raw.get("goals", [])]
        fields["indicator_ids"] = [demo_indicator_id(key) for key in raw.get("indicators", [])]
        action = await action_rules.create_action(session, ActionCreate.model_validate(fields))
        for note in raw.get("notes", []):
            await action_rules.add_note(session, action, ProgressNoteIn.model_validate(note))
        counts["action"] += 1


async def _statement_exists(session: AsyncSession, statement: StatementCreate) -> bool:
    found = await session.scalar(
        select(AccountabilityStatement.id).where(
            AccountabilityStatement.year == statement.year, AccountabilityStatement.body_code == statement.body_code
        )
    )
    return found is not None


async def _seed_control_plan(session: AsyncSession, raw: dict[str, Any], settings: AuditSettings) -> bool:
    """A plan with its scored risks and controls, decided, then its T2 results."""
    found = await session.scalar(
        select(ControlPlan.id).where(ControlPlan.body_code == raw["body_code"], ControlPlan.year == raw["year"])
    )
    if found is not None:
        return False
    matrix = control_rules.Matrix(settings)
    plan = await control_rules.create_plan(session, ControlPlanCreate(body_code=raw["body_code"], year=raw["year"]))
    results = []
    for raw_risk in raw["risks"]:
        risk = await control_rules.add_risk(
            session,
            plan,
            RiskIn.model_validate(
                {k: v for k, v in raw_risk.items() if k not in {"controls", "goals"}}
                | {"goal_ids": [demo_goal_id(key) for key in raw_risk.get("goals", [])]}
            ),
            matrix,
        )
        for raw_control in raw_risk["controls"]:
            control_in = ControlIn.model_validate({k: v for k, v in raw_control.items() if k != "result"})
            control = await control_rules.add_control(session, plan, risk, control_in, matrix)
            if "result" in raw_control:
                results.append((control, ControlResultIn.model_validate(raw_control["result"])))
    decision = DecisionIn.model_validate(raw["decision"])
    await control_rules.decide_plan(session, plan, decision, matrix, settings.diary_number_pattern)
    for control, result in results:
        await control_rules.record_result(session, control, plan, result)
    return True
