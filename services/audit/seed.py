"""Demo data of the audit service, drawn from the seed documents; loading it twice adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import AuditRecipient, Recommendation
from services.audit.rules import actions as action_rules
from services.audit.rules import reports as report_rules
from services.audit.schemas import ActionCreate, ReportCreate
from services.audit.settings import AuditSettings

DEMO = Path(__file__).parent / "demo"


async def seed(session: AsyncSession) -> dict[str, int]:
    """Each demo report is known by its first diary number; a report already there is skipped whole."""
    data = json.loads((DEMO / "audits.json").read_text(encoding="utf-8"))
    known = set(await session.scalars(select(AuditRecipient.diary_number)))
    counts = {"audit_report": 0, "recommendation": 0, "action": 0}
    pattern = AuditSettings().diary_number_pattern
    for entry in data["reports"]:
        report_in = ReportCreate.model_validate(entry["report"])
        if report_in.recipients[0].diary_number in known:
            continue
        report = await report_rules.create_report(session, report_in, pattern)
        rows = await session.execute(
            select(Recommendation.number, Recommendation.id).where(Recommendation.report_id == report.id)
        )
        numbers = {number: rec_id for number, rec_id in rows}
        counts["audit_report"] += 1
        counts["recommendation"] += len(numbers)
        for raw in entry["actions"]:
            action = {k: v for k, v in raw.items() if k != "recommendations"}
            action["recommendation_ids"] = [numbers[n] for n in raw["recommendations"]]
            await action_rules.create_action(session, ActionCreate.model_validate(action))
            counts["action"] += 1
    return counts
