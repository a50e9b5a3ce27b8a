"""Demo data of the budget service; loading it twice adds nothing (each record has a natural key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    REVENUE_CATEGORIES,
    AccountCategory,
    AccountMapping,
    BalanceAdjustment,
    BudgetDialogue,
    BudgetNeed,
    Fee,
    FollowUp,
    Forecast,
    ForecastProposal,
    FrameStatus,
    GrantGoalLink,
    GrantUse,
    InvestmentFrame,
    InvestmentProject,
    InvestmentYear,
    OperatingFrame,
    Outcome,
    Periodisation,
    ResourceCalculation,
    ResourceScenario,
    ScenarioStatus,
    ScenarioYear,
    StateGrant,
)
from services.budget.rules import forecast_proposals, ledger, needs
from services.budget.rules.accounts import AccountPlan
from services.budget.rules.followup import month_columns
from services.budget.rules.frames import frame_amount
from services.budget.rules.needs import GRANTED, granted_amounts
from services.budget.schemas import (
    AccountMappingCreate,
    BalanceAdjustmentCreate,
    DialogueCreate,
    FeeCreate,
    ForecastChoice,
    ForecastCreate,
    ForecastProposalRequest,
    FrameParts,
    GrantCreate,
    InvestmentCreate,
    InvestmentFrameCreate,
    NeedCreate,
    NeedOutcomeIn,
    OutcomeIn,
    PeriodisationIn,
    ResourceCreate,
    ScenarioCreate,
)
from shared.decisions import DecisionIn, record_decision
from shared.demo import demo_indicator_id
from shared.types import CENT

DEMO = Path(__file__).parent / "demo"


def _demo(name: str) -> Any:
    return json.loads((DEMO / f"{name}.json").read_text(encoding="utf-8"))


async def _seed_resources(session: AsyncSession) -> int:
    existing = set(await session.scalars(select(ResourceCalculation.year)))
    created = 0
    for raw in _demo("resources")["resources"]:
        data = ResourceCreate.model_validate(raw)
        if data.year not in existing:
            session.add(ResourceCalculation(**data.model_dump()))
            created += 1
    return created


def _frame(raw: dict[str, Any]) -> OperatingFrame:
    parts = FrameParts.model_validate({k: v for k, v in raw.items() if k in FrameParts.model_fields})
    frame = OperatingFrame(
        unit_code=raw["unit_code"],
        year=raw["year"],
        revision=raw["revision"],
        status=FrameStatus(raw["status"]),
        comment=raw.get("comment"),
        **parts.model_dump(),
    )
    frame.amount = frame_amount(frame)
    if "decision" in raw:
        record_decision(frame, DecisionIn.model_validate(raw["decision"]))
    return frame


async def _seed_frames(session: AsyncSession) -> int:
    rows = await session.execute(select(OperatingFrame.unit_code, OperatingFrame.year, OperatingFrame.revision))
    existing = {tuple(row) for row in rows}
    created = 0
    for raw in _demo("operating_frames")["frames"]:
        if (raw["unit_code"], raw["year"], raw["revision"]) not in existing:
            session.add(_frame(raw))
            created += 1
    return created


async def _seed_outcomes(session: AsyncSession) -> int:
    """The demo's outcomes come in as the ledger sends them: through the ledger import, a few rows each, so
    that every figure drills down to its rows and their batch."""
    data = _demo("outcomes")
    year = data["year"]
    rows = await session.execute(select(Outcome.unit_code, Outcome.month, Outcome.category).where(Outcome.year == year))
    existing = {tuple(row) for row in rows}
    fresh = [OutcomeIn.model_validate({**raw, "year": year}) for raw in data["rows"]]
    new = [row for row in fresh if (row.unit_code, row.month, row.category) not in existing]
    if not new:
        return 0
    plan = await AccountPlan.load(session)
    lines = ["unit;account;month;amount", *(line for row in new for line in _ledger_lines(plan, row))]

    async def known(_: str) -> bool:
        return True  # the demo's own units

    report = await ledger.import_ledger(session, lines, unit_exists=known, dry_run=False)
    if report.problems:
        raise ValueError(f"the demo's outcomes do not import: {report.problems[0]}")
    return report.created


def _ledger_lines(plan: AccountPlan, row: OutcomeIn) -> list[str]:
    """An outcome as two booked rows on two accounts of its category (one when only one maps back)."""
    first = plan.account_for(row.category)
    if first is None:
        raise ValueError(f"the demo's account plan has no account for {row.category.value}")
    accounts = [a for a in (first.ljust(4, "0"), (first + "1").ljust(4, "0")) if plan.category_of(a) is row.category]
    booked = -row.amount if row.category in REVENUE_CATEGORIES else row.amount
    if len(accounts) < 2:
        accounts, parts = [first], [booked]
    else:
        two_thirds = (booked * 2 / 3).quantize(CENT)
        parts = [two_thirds, booked - two_thirds]
    month = f"{row.year}-{row.month:02}"
    return [f"{row.unit_code};{account};{month};{part}" for account, part in zip(accounts, parts, strict=True)]


async def _seed_account_plan(session: AsyncSession) -> int:
    rows = await session.execute(select(AccountMapping.account_from, AccountMapping.account_to))
    existing = {tuple(row) for row in rows}
    created = 0
    for raw in _demo("account_mappings")["rules"]:
        data = AccountMappingCreate.model_validate(raw)
        last = data.account_to or data.account_from
        if (data.account_from, last) not in existing:
            session.add(AccountMapping(**data.model_dump(exclude={"account_to"}), account_to=last))
            created += 1
    return created


async def _seed_periodisations(session: AsyncSession, raws: list[dict[str, Any]]) -> int:
    existing = {tuple(row) for row in await session.execute(select(Periodisation.unit_code, Periodisation.year))}
    created = 0
    for raw in raws:
        if (raw["unit_code"], raw["year"]) in existing:
            continue
        data = PeriodisationIn.model_validate({"months": raw["months"], "comment": raw.get("comment")})
        budget = Periodisation(unit_code=raw["unit_code"], year=raw["year"], comment=data.comment)
        for column, amount in zip(month_columns(), data.months, strict=True):
            setattr(budget, column, amount)
        session.add(budget)
        created += 1
    return created


async def _seed_forecasts(session: AsyncSession, raws: list[dict[str, Any]]) -> int:
    rows = await session.execute(select(Forecast.unit_code, Forecast.year, Forecast.follow_up))
    existing = {tuple(row) for row in rows}
    created = 0
    for raw in raws:
        data = ForecastCreate.model_validate(raw)
        if (data.unit_code, data.year, data.follow_up) not in existing:
            session.add(Forecast(**data.model_dump()))
            created += 1
    return created


async def _seed_investments(session: AsyncSession) -> tuple[int, int]:
    data = _demo("investments")
    years = set(await session.scalars(select(InvestmentFrame.year)))
    frames = [InvestmentFrameCreate.model_validate(raw) for raw in data["frames"]]
    session.add_all(InvestmentFrame(**f.model_dump()) for f in frames if f.year not in years)
    existing = {
        tuple(row) for row in await session.execute(select(InvestmentProject.owner_unit, InvestmentProject.name))
    }
    created = 0
    for raw in data["projects"]:
        project = InvestmentCreate.model_validate(raw)
        if (project.owner_unit, project.name) in existing:
            continue
        record = InvestmentProject(**project.model_dump(exclude={"years"}), plan_revision=0)
        session.add(record)
        await session.flush()
        session.add_all(InvestmentYear(project_id=record.id, **y.model_dump()) for y in project.years)
        created += 1
    return len([f for f in frames if f.year not in years]), created


async def _seed_grants(session: AsyncSession) -> int:
    existing = {tuple(row) for row in await session.execute(select(StateGrant.name, StateGrant.first_year))}
    created = 0
    for raw in _demo("grants")["grants"]:
        grant = GrantCreate.model_validate(
            {k: v for k, v in raw.items() if k not in {"goals", "used", "indicators"}}
            | {"indicator_ids": [demo_indicator_id(key) for key in raw.get("indicators", [])]}
        )
        if (grant.name, grant.first_year) in existing:
            continue
        record = StateGrant(
            **grant.model_dump(exclude={"indicator_ids"}), indicator_ids=[str(i) for i in grant.indicator_ids]
        )
        session.add(record)
        await session.flush()
        # By the goal's unit and title: the goals seed makes new ids each time, so the id is looked up later.
        session.add_all(
            GrantGoalLink(grant_id=record.id, goal_unit=g["goal_unit"], goal_title=g["goal_title"], how=g["how"])
            for g in raw["goals"]
        )
        session.add_all(GrantUse(grant_id=record.id, year=u["year"], used=u["used"]) for u in raw["used"])
        created += 1
    return created


async def _seed_balance_adjustments(session: AsyncSession) -> int:
    rows = await session.execute(select(BalanceAdjustment.year, BalanceAdjustment.kind, BalanceAdjustment.description))
    existing = {tuple(row) for row in rows}
    created = 0
    for raw in _demo("balance_adjustments")["adjustments"]:
        data = BalanceAdjustmentCreate.model_validate(raw)
        if (data.year, data.kind, data.description) in existing:
            continue
        adjustment = BalanceAdjustment(**data.model_dump(exclude={"decision"}))
        record_decision(adjustment, data.decision)
        session.add(adjustment)
        created += 1
    return created


async def _seed_scenarios(session: AsyncSession) -> int:
    """The year's scenarios; the one the council adopted fixes its year's tax rate, as adopting it does."""
    existing = {tuple(row) for row in await session.execute(select(ResourceScenario.year, ResourceScenario.name))}
    created = 0
    for raw in _demo("scenarios")["scenarios"]:
        data = ScenarioCreate.model_validate({k: v for k, v in raw.items() if k not in {"year", "decision"}})
        if (raw["year"], data.name) in existing:
            continue
        scenario = ResourceScenario(
            year=raw["year"], status=ScenarioStatus.draft, years_revision=0, **data.model_dump(exclude={"years"})
        )
        if "decision" in raw:
            scenario.status = ScenarioStatus.adopted
            record_decision(scenario, DecisionIn.model_validate(raw["decision"]))
            resources = await session.scalar(
                select(ResourceCalculation).where(ResourceCalculation.year == scenario.year)
            )
            if resources is not None:
                resources.tax_rate = scenario.tax_rate
        session.add(scenario)
        await session.flush()
        session.add_all(ScenarioYear(scenario_id=scenario.id, **y.model_dump()) for y in data.years)
        created += 1
    return created


async def _seed_fees(session: AsyncSession) -> int:
    existing = {tuple(row) for row in await session.execute(select(Fee.year, Fee.name))}
    created = 0
    for raw in _demo("scenarios")["fees"]:
        data = FeeCreate.model_validate(raw)
        if (data.year, data.name) in existing:
            continue
        fee = Fee(**data.model_dump(exclude={"decision"}))
        record_decision(fee, data.decision)
        session.add(fee)
        created += 1
    return created


async def _seed_needs(session: AsyncSession) -> int:
    """The committees' needs; an answered one names the frame that carries it (whose priorities hold it already)."""
    existing = {
        tuple(row) for row in await session.execute(select(BudgetNeed.unit_code, BudgetNeed.year, BudgetNeed.title))
    }
    frames = {
        (unit, year): frame_id
        for unit, year, frame_id in await session.execute(
            select(OperatingFrame.unit_code, OperatingFrame.year, OperatingFrame.id).where(OperatingFrame.revision == 0)
        )
    }
    created = 0
    for raw in _demo("needs")["needs"]:
        data = NeedCreate.model_validate({k: v for k, v in raw.items() if k != "outcome"})
        if (data.unit_code, data.year, data.title) in existing:
            continue
        need = needs.new_need(data)
        if "outcome" in raw:
            answer = NeedOutcomeIn.model_validate(raw["outcome"])
            for column, amount in zip(GRANTED, granted_amounts(need, answer), strict=True):
                setattr(need, column, amount)
            need.status = answer.outcome
            need.outcome_comment = answer.comment
            need.frame_id = frames[(need.unit_code, need.year)]
        session.add(need)
        created += 1
    return created


async def _seed_dialogues(session: AsyncSession) -> int:
    existing = {tuple(row) for row in await session.execute(select(BudgetDialogue.unit_code, BudgetDialogue.held_on))}
    created = 0
    for raw in _demo("needs")["dialogues"]:
        data = DialogueCreate.model_validate(raw)
        if (data.unit_code, data.held_on) not in existing:
            session.add(BudgetDialogue(**data.model_dump()))
            created += 1
    return created


async def _seed_forecast_proposals(session: AsyncSession) -> int:
    """HSN's proposals at T2 from its outcome so far, one accepted and one adjusted as its controller did."""
    if await session.scalar(select(ForecastProposal.id).limit(1)) is not None:
        return 0
    request = ForecastProposalRequest(unit_code="HSN", year=2022, follow_up=FollowUp.T2)
    made = {p.category: p for p in await forecast_proposals.propose(session, request)}
    await forecast_proposals.choose(session, made[AccountCategory.personnel], ForecastChoice(accept=True))
    adjusted = made[AccountCategory.purchased_care]
    choice = ForecastChoice(
        amount=adjusted.proposed + 25_000_000, comment="Hösten drar mer regionsjukhusvård än våren visar"
    )
    await forecast_proposals.choose(session, adjusted, choice)
    return len(made)


async def seed(session: AsyncSession) -> dict[str, int]:
    followup = _demo("followup")
    counts = {
        "resource_calculation": await _seed_resources(session),
        "operating_frame": await _seed_frames(session),
        "account_mapping": await _seed_account_plan(session),
    }
    await session.flush()  # the account plan the demo's ledger rows are imported under
    counts |= {
        "outcome": await _seed_outcomes(session),
        "periodisation": await _seed_periodisations(session, followup["periodisations"]),
        "forecast": await _seed_forecasts(session, followup["forecasts"]),
    }
    counts["investment_frame"], counts["investment_project"] = await _seed_investments(session)
    counts["state_grant"] = await _seed_grants(session)
    counts["balance_adjustment"] = await _seed_balance_adjustments(session)
    await session.flush()  # the resource calculations, whose tax rate an adopted scenario fixes
    counts["resource_scenario"] = await _seed_scenarios(session)
    counts["fee"] = await _seed_fees(session)
    counts["budget_need"] = await _seed_needs(session)
    counts["budget_dialogue"] = await _seed_dialogues(session)
    await session.flush()  # the outcomes the proposals are made from
    counts["forecast_proposal"] = await _seed_forecast_proposals(session)
    await session.flush()
    return counts
