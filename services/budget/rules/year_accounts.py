"""The year's accounts for the annual report: the income statement from the ledger, the result against the
result target, and the balance requirement reconciliation with the adjustments finance enters.

Five statements whatever the data size: the outcomes of the year and the three before it summed by year
and category, their balance adjustments, the account plan, the resource calculation and the closed year.
The three earlier years are needed because a deficit must be restored within three years.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    ADJUSTMENT_SIGN,
    RESERVE_KINDS,
    REVENUE_CATEGORIES,
    UNIT_COST_CATEGORIES,
    AccountCategory,
    AccountMapping,
    BalanceAdjustment,
    ClosedYear,
    Outcome,
    ResourceCalculation,
)
from services.budget.rules.money import percent_of, share_percent
from services.budget.schemas import (
    AccountsLine,
    BalanceAdjustmentCreate,
    BalanceAdjustmentRead,
    BalanceAdjustmentUpdate,
    BalanceRequirement,
    Deficit,
    IncomeStatement,
    ResultAgainstTarget,
    YearAccounts,
)
from shared.asof import period_end
from shared.decisions import decision_of, record_decision
from shared.errors import NotFound, Unprocessable
from shared.types import Money

ZERO = Decimal("0.00")
RESTORE_WITHIN_YEARS = 3
C = AccountCategory
OPERATING_COSTS = (*[c for c in UNIT_COST_CATEGORIES if c is not C.depreciation], C.pension_costs)

# --- the adjustments finance enters ---------------------------------------------------------------


def adjustment_read(adjustment: BalanceAdjustment) -> BalanceAdjustmentRead:
    return BalanceAdjustmentRead(
        id=adjustment.id,
        year=adjustment.year,
        kind=adjustment.kind,
        amount=adjustment.amount,
        effect=adjustment.amount * ADJUSTMENT_SIGN[adjustment.kind],
        description=adjustment.description,
        decision=decision_of(adjustment),
        version=adjustment.version,
        updated_at=adjustment.updated_at,
    )


async def create_adjustment(session: AsyncSession, data: BalanceAdjustmentCreate) -> BalanceAdjustment:
    adjustment = BalanceAdjustment(**data.model_dump(exclude={"decision"}))
    record_decision(adjustment, data.decision)
    session.add(adjustment)
    await session.flush()
    return adjustment


async def get_adjustment(session: AsyncSession, adjustment_id: uuid.UUID) -> BalanceAdjustment:
    adjustment = await session.get(BalanceAdjustment, adjustment_id)
    if adjustment is None:
        raise NotFound(f"No balance adjustment {adjustment_id}")
    return adjustment


async def delete_adjustment(session: AsyncSession, adjustment: BalanceAdjustment) -> None:
    """An adjustment entered by mistake goes; its history stays."""
    await session.delete(adjustment)
    await session.flush()


async def update_adjustment(
    session: AsyncSession, adjustment: BalanceAdjustment, data: BalanceAdjustmentUpdate
) -> BalanceAdjustment:
    changes = data.model_dump(exclude_unset=True, exclude={"decision"})
    for field, value in changes.items():
        if value is None:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(adjustment, field, value)
    if "decision" in data.model_fields_set:
        if data.decision is None:
            raise Unprocessable("An adjustment keeps its decision; send the corrected one", field="decision")
        record_decision(adjustment, data.decision)
    await session.flush()
    return adjustment


async def list_adjustments(session: AsyncSession, year: int | None) -> list[BalanceAdjustment]:
    stmt = select(BalanceAdjustment).order_by(BalanceAdjustment.year, BalanceAdjustment.kind, BalanceAdjustment.id)
    if year is not None:
        stmt = stmt.where(BalanceAdjustment.year == year)
    return list(await session.scalars(stmt))


# --- the income statement -------------------------------------------------------------------------


@dataclass
class _Ledger:
    """The year's outcomes by category, revenue kinds positive as an outcome holds them."""

    by_category: dict[AccountCategory, Decimal]
    rules: dict[AccountCategory, list[str]]

    def line(self, categories: Iterable[AccountCategory]) -> AccountsLine:
        chosen = list(categories)
        amount = sum((self._signed(c) for c in chosen), ZERO)
        accounts = [rule for c in chosen for rule in self.rules.get(c, [])]
        return AccountsLine(amount=amount, categories=chosen, accounts=accounts)

    def _signed(self, category: AccountCategory) -> Decimal:
        amount = self.by_category.get(category, ZERO)
        return amount if category in REVENUE_CATEGORIES else -amount


def income_statement(ledger: _Ledger) -> IncomeStatement:
    revenue = ledger.line([C.revenue])
    costs = ledger.line(OPERATING_COSTS)
    depreciation = ledger.line([C.depreciation])
    net_operating_cost = revenue.amount + costs.amount + depreciation.amount
    taxes, grants = ledger.line([C.tax_revenue]), ledger.line([C.general_grants])
    operating_result = net_operating_cost + taxes.amount + grants.amount
    income, financial_costs = ledger.line([C.financial_income]), ledger.line([C.financial_costs])
    return IncomeStatement(
        operating_revenue=revenue,
        operating_costs=costs,
        depreciation=depreciation,
        net_operating_cost=net_operating_cost,
        tax_revenue=taxes,
        general_grants=grants,
        operating_result=operating_result,
        financial_income=income,
        financial_costs=financial_costs,
        result=operating_result + income.amount + financial_costs.amount,
    )


def result_against_target(statement: IncomeStatement, resources: ResourceCalculation) -> ResultAgainstTarget:
    taxes_and_grants = statement.tax_revenue.amount + statement.general_grants.amount
    target = percent_of(taxes_and_grants, resources.result_target_percent)
    return ResultAgainstTarget(
        target_percent=resources.result_target_percent,
        taxes_and_general_grants=taxes_and_grants,
        target=target,
        result_percent=share_percent(statement.result, taxes_and_grants),
        met=statement.result >= target,
    )


# --- the balance requirement ----------------------------------------------------------------------


def _balance_result(result: Decimal, adjustments: list[BalanceAdjustment]) -> Decimal:
    return result + sum((a.amount * ADJUSTMENT_SIGN[a.kind] for a in adjustments), ZERO)


@dataclass
class _OpenDeficit:
    year: int
    deficit: Decimal
    remaining: Decimal


def deficits_to_restore(balance_results: dict[int, Decimal], year: int) -> list[Deficit]:
    """Each deficit of the year and the three before it, less the surpluses of the years after it (oldest
    deficit first), as it stands at the end of `year`. Years without accounts count for nothing."""
    deficits: list[_OpenDeficit] = []
    for each in sorted(balance_results):
        amount = balance_results[each]
        if amount < 0:
            deficits.append(_OpenDeficit(each, -amount, -amount))
            continue
        surplus = amount
        for deficit in deficits:
            restored = min(deficit.remaining, surplus)
            deficit.remaining -= restored
            surplus -= restored
    return [
        Deficit(
            year=d.year,
            deficit=d.deficit,
            remaining=d.remaining,
            restore_by=period_end(d.year + RESTORE_WITHIN_YEARS, "year"),
            # Still owed when its third year has ended: the council must decide how, or why not.
            missed=d.year + RESTORE_WITHIN_YEARS <= year,
        )
        for d in deficits
        if d.remaining > 0
    ]


def balance_requirement(
    year: int, results: dict[int, Decimal], adjustments: dict[int, list[BalanceAdjustment]]
) -> BalanceRequirement:
    own = adjustments.get(year, [])
    result_lines = [a for a in own if a.kind not in RESERVE_KINDS]
    reserve_lines = [a for a in own if a.kind in RESERVE_KINDS]
    after_adjustments = _balance_result(results[year], result_lines)
    balance_result = _balance_result(after_adjustments, reserve_lines)
    balance_results = {y: _balance_result(r, adjustments.get(y, [])) for y, r in results.items()}
    deficits = deficits_to_restore(balance_results, year)
    return BalanceRequirement(
        result=results[year],
        adjustments=[adjustment_read(a) for a in result_lines],
        result_after_adjustments=after_adjustments,
        reserve=[adjustment_read(a) for a in reserve_lines],
        balance_requirement_result=balance_result,
        met=balance_result >= 0,
        deficits_to_restore=deficits,
        to_restore=sum((d.remaining for d in deficits), ZERO),
    )


# --- the read model -------------------------------------------------------------------------------


async def _outcomes_by_year(session: AsyncSession, years: range) -> dict[int, dict[AccountCategory, Decimal]]:
    rows = await session.execute(
        select(Outcome.year, Outcome.category, type_coerce(func.sum(Outcome.amount), Money()))
        .where(Outcome.year.between(years.start, years.stop - 1))
        .group_by(Outcome.year, Outcome.category)
    )
    by_year: dict[int, dict[AccountCategory, Decimal]] = {}
    for each, category, amount in rows:
        by_year.setdefault(each, {})[category] = amount
    return by_year


async def _adjustments_by_year(session: AsyncSession, years: range) -> dict[int, list[BalanceAdjustment]]:
    rows = await session.scalars(
        select(BalanceAdjustment)
        .where(BalanceAdjustment.year.between(years.start, years.stop - 1))
        .order_by(BalanceAdjustment.kind, BalanceAdjustment.decided_on, BalanceAdjustment.id)
    )
    by_year: dict[int, list[BalanceAdjustment]] = {}
    for adjustment in rows:
        by_year.setdefault(adjustment.year, []).append(adjustment)
    return by_year


async def _account_rules(session: AsyncSession) -> dict[AccountCategory, list[str]]:
    rules: dict[AccountCategory, list[str]] = {}
    mappings = await session.execute(
        select(AccountMapping.category, AccountMapping.account_from, AccountMapping.account_to).order_by(
            AccountMapping.account_from
        )
    )
    for category, first, last in mappings:
        rules.setdefault(category, []).append(first if first == last else f"{first}–{last}")
    return rules


async def year_accounts(session: AsyncSession, year: int) -> YearAccounts:
    years = range(year - RESTORE_WITHIN_YEARS, year + 1)
    outcomes = await _outcomes_by_year(session, years)
    adjustments = await _adjustments_by_year(session, years)
    rules = await _account_rules(session)
    resources = await session.scalar(select(ResourceCalculation).where(ResourceCalculation.year == year))
    closed = await session.scalar(select(ClosedYear).where(ClosedYear.year == year))
    accounts = YearAccounts(
        year=year,
        as_of=period_end(year, "year"),
        closed=closed is not None,
        closed_on=closed.closed_on if closed is not None else None,
        has_data=year in outcomes,
        note=None,
        income_statement=None,
        result_target=None,
        balance_requirement=None,
    )
    if year not in outcomes:
        accounts.note = f"No ledger rows for {year}: the year has no accounts"
        return accounts
    statements = {y: income_statement(_Ledger(amounts, rules)) for y, amounts in outcomes.items()}
    statement = statements[year]
    accounts.income_statement = statement
    accounts.result_target = result_against_target(statement, resources) if resources is not None else None
    results = {y: s.result for y, s in statements.items()}
    accounts.balance_requirement = balance_requirement(year, results, adjustments)
    notes = [] if closed is not None else [f"{year} is not closed: the figures may still change"]
    if resources is None:
        notes.append(f"No resource calculation for {year}: no result target to compare with")
    accounts.note = "; ".join(notes) or None
    return accounts
