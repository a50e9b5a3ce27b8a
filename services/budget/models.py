"""Tables of the budget service. Money columns are `Money`: exact on both databases."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.asof import PERIOD_END_MONTH
from shared.db import Tracked, new_metadata
from shared.evidence import EvidenceBlobColumns, EvidenceFileColumns
from shared.history import HistoryEntryColumns
from shared.types import Money, Quantity, UTCDateTime


class Base(DeclarativeBase):
    metadata = new_metadata()


class HistoryEntry(HistoryEntryColumns, Base):
    __tablename__ = "history_entry"


def _enum(cls: type[StrEnum], length: int = 24) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class DecisionColumns:
    """A decision reference: which body decided, at which meeting, under which paragraph and case."""

    decided_by: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None]
    decision_paragraph: Mapped[str | None] = mapped_column(String(16))
    diary_number: Mapped[str | None] = mapped_column(String(32))


class FrameStatus(StrEnum):
    """proposal: a draft; decided: the frame in force; revised: a decided version a later one replaced."""

    proposal = "proposal"
    decided = "decided"
    revised = "revised"


class OperatingFrame(Tracked, DecisionColumns, Base):
    """One version of a unit's net-cost budget (driftram) for a year, built from its parts, in SEK.

    The running costs of investments starting in the year are a part of their own (`investment_costs`).

    Revision 0 is the budget the council decides; a revision during the year is a new version
    with the next number. `amount` is kept in step with the parts so that sums stay in SQL.
    """

    __tablename__ = "operating_frame"
    __draft_states__ = frozenset({FrameStatus.proposal.value})
    __table_args__ = (UniqueConstraint("unit_code", "year", "revision"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(default=0)
    status: Mapped[FrameStatus] = mapped_column(_enum(FrameStatus, 16))
    last_year_frame: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    index_uplift: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    population_change: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    activity_change: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    priorities: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    savings: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # Depreciation, interest and operation of the unit's investments, beyond what last year's frame carried.
    investment_costs: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0), server_default="0")
    amount: Mapped[Decimal] = mapped_column(Money())
    comment: Mapped[str | None] = mapped_column(Text)


class ResourceCalculation(Tracked, Base):
    """The resource calculation (resursberäkning) of one plan year: what the region can spend."""

    __tablename__ = "resource_calculation"

    year: Mapped[int] = mapped_column(unique=True)
    tax_revenue: Mapped[Decimal] = mapped_column(Money())
    general_grants: Mapped[Decimal] = mapped_column(Money())
    other_revenue: Mapped[Decimal] = mapped_column(Money())
    lpik_percent: Mapped[Decimal] = mapped_column(Quantity())
    pension_cost: Mapped[Decimal] = mapped_column(Money())
    result_target_percent: Mapped[Decimal] = mapped_column(Quantity())
    comment: Mapped[str | None] = mapped_column(Text)
    # Kronor per 100 of taxable income, fixed when the council adopts one of the year's scenarios.
    tax_rate: Mapped[Decimal | None] = mapped_column(Quantity())


class ScenarioStatus(StrEnum):
    """draft: finance's working material; adopted: the one the council decided, which fixed the tax rate."""

    draft = "draft"
    adopted = "adopted"


class ResourceScenario(Tracked, DecisionColumns, Base):
    """A named what-if on the resource calculation of a budget year and its two plan years.

    The tax base and population it starts from are those of the year before the budget year; each of its
    three years (ScenarioYear) says how they grow and what the other revenue and costs are.
    """

    __tablename__ = "resource_scenario"
    __table_args__ = (UniqueConstraint("year", "name"),)

    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[ScenarioStatus] = mapped_column(_enum(ScenarioStatus, 16))
    tax_rate: Mapped[Decimal] = mapped_column(Quantity())
    starting_tax_base: Mapped[Decimal] = mapped_column(Money())
    starting_population: Mapped[int]
    result_target_percent: Mapped[Decimal] = mapped_column(Quantity())
    comment: Mapped[str | None] = mapped_column(Text)
    # Bumped when a year's figures change, so the scenario's version (its ETag) and history show it.
    years_revision: Mapped[int] = mapped_column(default=0)


class ScenarioYear(Tracked, Base):
    """One year of a scenario: the budget year or a plan year."""

    __tablename__ = "scenario_year"
    __table_args__ = (UniqueConstraint("scenario_id", "year"),)

    scenario_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resource_scenario.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    tax_base_growth_percent: Mapped[Decimal] = mapped_column(Quantity())
    population: Mapped[int]
    lpik_percent: Mapped[Decimal] = mapped_column(Quantity())
    pension_cost: Mapped[Decimal] = mapped_column(Money())
    general_grants: Mapped[Decimal] = mapped_column(Money())
    other_revenue: Mapped[Decimal] = mapped_column(Money())


class Fee(Tracked, DecisionColumns, Base):
    """A fee the council set for a year (avgift): what is charged, per what, and the decision that set it."""

    __tablename__ = "fee"
    __table_args__ = (UniqueConstraint("year", "name"),)

    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money())
    charge_unit: Mapped[str] = mapped_column(String(60))
    comment: Mapped[str | None] = mapped_column(Text)


class NeedStatus(StrEnum):
    """submitted: awaiting the budget's answer; then what the frame proposal it fed gave it."""

    submitted = "submitted"
    granted = "granted"
    partly_granted = "partly_granted"
    not_granted = "not_granted"


class BudgetNeed(Tracked, Base):
    """A committee's need or cost request (behov, äskande) for a plan period: the budget year and two plan years.

    Its outcome carries the amount granted for the budget year into the unit's frame proposal as a political
    priority, and names that frame (`frame_id`), so every priority of a frame can be traced to its needs.
    """

    __tablename__ = "budget_need"

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    justification: Mapped[str] = mapped_column(Text)
    priority: Mapped[int]
    amount_1: Mapped[Decimal] = mapped_column(Money())
    amount_2: Mapped[Decimal] = mapped_column(Money())
    amount_3: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus, 16))
    granted_1: Mapped[Decimal | None] = mapped_column(Money())
    granted_2: Mapped[Decimal | None] = mapped_column(Money())
    granted_3: Mapped[Decimal | None] = mapped_column(Money())
    frame_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("operating_frame.id"), index=True)
    outcome_comment: Mapped[str | None] = mapped_column(Text)
    # Bumped when the goals it serves are replaced, so the need's version and history show it.
    goals_revision: Mapped[int] = mapped_column(default=0)


class NeedGoal(Tracked, Base):
    """A goal in the goals service that a need serves (checked there when the need names it)."""

    __tablename__ = "need_goal"
    __table_args__ = (UniqueConstraint("need_id", "goal_id"),)

    need_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("budget_need.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[uuid.UUID]


class BudgetDialogue(Tracked, Base):
    """A budget dialogue between the board and a committee about a plan period: when, who, what was agreed."""

    __tablename__ = "budget_dialogue"

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    held_on: Mapped[date]
    participants: Mapped[str] = mapped_column(Text)
    agreed: Mapped[str] = mapped_column(Text)


class AccountCategory(StrEnum):
    """The ledger's account categories.

    The units' own: revenue, and the cost kinds the follow-up reports against their frames. The
    region's (booked on the finance administration's unit and read only by the year's accounts):
    tax revenue, general grants and equalisation, central pension costs, financial income and costs.
    """

    revenue = "revenue"
    personnel = "personnel"
    purchased_care = "purchased_care"
    pharmaceuticals = "pharmaceuticals"
    other_costs = "other_costs"
    depreciation = "depreciation"
    tax_revenue = "tax_revenue"
    general_grants = "general_grants"
    pension_costs = "pension_costs"
    financial_income = "financial_income"
    financial_costs = "financial_costs"


# What a unit's follow-up compares with its frame; the region's lines belong to the resource calculation.
UNIT_COST_CATEGORIES = (
    AccountCategory.personnel,
    AccountCategory.purchased_care,
    AccountCategory.pharmaceuticals,
    AccountCategory.other_costs,
    AccountCategory.depreciation,
)
UNIT_CATEGORIES = (AccountCategory.revenue, *UNIT_COST_CATEGORIES)
# Categories the ledger books as credits: an outcome holds them as positive amounts.
REVENUE_CATEGORIES = frozenset(
    {
        AccountCategory.revenue,
        AccountCategory.tax_revenue,
        AccountCategory.general_grants,
        AccountCategory.financial_income,
    }
)


class Outcome(Tracked, Base):
    """A unit's booked amount (utfall) for a month and an account category, as the ledger exports it.

    Amounts are as booked, revenue and costs both positive; a unit's net cost is costs − revenue.
    """

    __tablename__ = "outcome"
    # Leading with the year serves the region-wide aggregate, which filters a year and groups by unit.
    __table_args__ = (UniqueConstraint("year", "unit_code", "month", "category"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int]
    month: Mapped[int] = mapped_column(SmallInteger)
    category: Mapped[AccountCategory] = mapped_column(_enum(AccountCategory, 24))
    amount: Mapped[Decimal] = mapped_column(Money())
    # Where the amount came from: the ledger import, or None when keyed in (or corrected) by hand.
    # An import updates only what an import wrote; what a person wrote it leaves alone.
    source: Mapped[str | None] = mapped_column(String(24))
    # The import batch whose ledger rows make up the amount (only while `source` is the ledger import).
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ledger_batch.id"))


class LedgerBatch(Base):
    """One run of the ledger import: who sent the file, when, and what it did.

    A log entry, not a record anyone edits, so it has no version and no history of its own.
    """

    __tablename__ = "ledger_batch"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_by_name: Mapped[str] = mapped_column(String(200))
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_kept: Mapped[int] = mapped_column(default=0)
    outcomes_created: Mapped[int] = mapped_column(default=0)
    outcomes_updated: Mapped[int] = mapped_column(default=0)


# What a drill-down page shows of a ledger row beyond the figure's index key (rules/drilldown.py).
FIGURE_ROW_COLUMNS = ("current", "account", "amount", "booked", "line", "batch_id", "outcome_id")


class LedgerRow(Base):
    """A booked row of the ledger as an import brought it, kept so a figure can be traced to its rows.

    A batch keeps the rows of the outcomes it created or changed, and those rows are `current`: they make
    up their outcome's amount until a later batch changes it or a person corrects it by hand, when they
    stay with their batch but are no longer current. The row carries its outcome's key (unit, year,
    month, category) so that a figure's rows are read from this table alone, by its own index.
    `outcome_id` is not a foreign key: the rows are written while the file is read, before the outcomes
    they add up to exist.
    """

    __tablename__ = "ledger_row"
    __table_args__ = (
        # Covering on PostgreSQL: a drill-down page and its count read the index alone (an index-only scan).
        Index(
            "ix_ledger_row_figure",
            "year",
            "unit_code",
            "month",
            "category",
            "id",
            postgresql_include=list(FIGURE_ROW_COLUMNS),
        ),
        Index("ix_ledger_row_outcome_batch", "outcome_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_batch.id"), index=True)
    outcome_id: Mapped[uuid.UUID]
    unit_code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    month: Mapped[int] = mapped_column(SmallInteger)
    category: Mapped[AccountCategory] = mapped_column(_enum(AccountCategory, 24))
    current: Mapped[bool] = mapped_column(default=True, server_default=true())
    line: Mapped[int]
    account: Mapped[str] = mapped_column(String(10))
    # As the ledger booked it (debit positive, credit negative), and as the outcome counts it (revenue positive).
    booked: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())


class AccountMapping(Tracked, Base):
    """A rule of the finance office's account plan: ledger accounts from `account_from` to `account_to` → a category.

    Both ends have the same number of digits and are compared with that many leading digits of an
    account, so "5" (a prefix), "4010" (one account) and "4000"–"4999" (a range) are all rules. The
    longest rule that matches an account decides; rules of one length never overlap.
    """

    __tablename__ = "account_mapping"
    __table_args__ = (UniqueConstraint("account_from", "account_to"),)

    account_from: Mapped[str] = mapped_column(String(10), index=True)
    account_to: Mapped[str] = mapped_column(String(10))
    category: Mapped[AccountCategory] = mapped_column(_enum(AccountCategory, 24))
    comment: Mapped[str | None] = mapped_column(Text)


MONTHS = range(1, 13)


class Periodisation(Tracked, Base):
    """A unit's net-cost budget for a year spread over its months, so that year-to-date can be compared.

    One row a unit and year, a column a month: the year-to-date budget is a sum of columns in SQL.
    """

    __tablename__ = "periodisation"
    __table_args__ = (UniqueConstraint("unit_code", "year"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    m1: Mapped[Decimal] = mapped_column(Money())
    m2: Mapped[Decimal] = mapped_column(Money())
    m3: Mapped[Decimal] = mapped_column(Money())
    m4: Mapped[Decimal] = mapped_column(Money())
    m5: Mapped[Decimal] = mapped_column(Money())
    m6: Mapped[Decimal] = mapped_column(Money())
    m7: Mapped[Decimal] = mapped_column(Money())
    m8: Mapped[Decimal] = mapped_column(Money())
    m9: Mapped[Decimal] = mapped_column(Money())
    m10: Mapped[Decimal] = mapped_column(Money())
    m11: Mapped[Decimal] = mapped_column(Money())
    m12: Mapped[Decimal] = mapped_column(Money())
    comment: Mapped[str | None] = mapped_column(Text)


class FollowUp(StrEnum):
    """The follow-ups of the year: T1 (Jan–Apr), T2 (Jan–Aug) and T3, the year-end (Jan–Dec)."""

    T1 = "T1"
    T2 = "T2"
    T3 = "T3"


FOLLOW_UP_MONTH = {f: PERIOD_END_MONTH[f.value] for f in FollowUp}


class Forecast(Tracked, Base):
    """A unit's full-year forecast (helårsprognos) of its net cost, made at a follow-up."""

    __tablename__ = "forecast"
    __table_args__ = (UniqueConstraint("unit_code", "year", "follow_up"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    follow_up: Mapped[FollowUp] = mapped_column(_enum(FollowUp, 8))
    amount: Mapped[Decimal] = mapped_column(Money())
    comment: Mapped[str | None] = mapped_column(Text)


class ProposalStatus(StrEnum):
    """proposed: as computed; accepted: the editor took it; adjusted: the editor chose another amount."""

    proposed = "proposed"
    accepted = "accepted"
    adjusted = "adjusted"


class ForecastProposal(Tracked, Base):
    """A proposed full-year forecast of one account category of a unit at a follow-up, and the editor's choice.

    Proposed from the outcome so far and last year's monthly profile (the share of last year's outcome booked
    by the same month); the proposal stays as it was computed next to what the editor chose.
    """

    __tablename__ = "forecast_proposal"
    __table_args__ = (UniqueConstraint("unit_code", "year", "follow_up", "category"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    follow_up: Mapped[FollowUp] = mapped_column(_enum(FollowUp, 8))
    category: Mapped[AccountCategory] = mapped_column(_enum(AccountCategory, 24))
    outcome_so_far: Mapped[Decimal] = mapped_column(Money())
    last_year_so_far: Mapped[Decimal] = mapped_column(Money())
    last_year_total: Mapped[Decimal] = mapped_column(Money())
    proposed: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus, 16))
    chosen: Mapped[Decimal | None] = mapped_column(Money())
    comment: Mapped[str | None] = mapped_column(Text)


class ClosedYear(Tracked, Base):
    """A year whose books the finance office has closed: its forecasts, outcomes and budgets are locked."""

    __tablename__ = "closed_year"

    year: Mapped[int] = mapped_column(unique=True)
    closed_on: Mapped[date]
    comment: Mapped[str | None] = mapped_column(Text)


class InvestmentFrame(Tracked, Base):
    """The year's total for investments (investeringsram), decided with the plan."""

    __tablename__ = "investment_frame"

    year: Mapped[int] = mapped_column(unique=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    comment: Mapped[str | None] = mapped_column(Text)


class InvestmentCategory(StrEnum):
    buildings = "buildings"
    medical_equipment = "medical_equipment"
    it = "it"
    vehicles = "vehicles"
    other = "other"


class ProjectStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    ongoing = "ongoing"
    completed = "completed"
    cancelled = "cancelled"


class InvestmentProject(Tracked, Base):
    """An investment project of a unit, planned year by year, with the operating costs it brings."""

    __tablename__ = "investment_project"

    name: Mapped[str] = mapped_column(String(200))
    owner_unit: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[InvestmentCategory] = mapped_column(_enum(InvestmentCategory, 24))
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus, 16))
    total: Mapped[Decimal] = mapped_column(Money())
    description: Mapped[str | None] = mapped_column(Text)
    # Bumped when the yearly plan is replaced, so the project's version and history show it.
    plan_revision: Mapped[int] = mapped_column(default=0)


class InvestmentYear(Tracked, Base):
    """One year of a project: the planned spend and the outcome, and the operating-cost consequences."""

    __tablename__ = "investment_year"
    __table_args__ = (UniqueConstraint("project_id", "year"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("investment_project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    planned: Mapped[Decimal] = mapped_column(Money())
    outcome: Mapped[Decimal] = mapped_column(Money())
    depreciation: Mapped[Decimal] = mapped_column(Money())
    interest: Mapped[Decimal] = mapped_column(Money())
    running_costs: Mapped[Decimal] = mapped_column(Money())


class StateGrant(Tracked, Base):
    """A targeted state grant (riktat statsbidrag, överenskommelse) and how it is followed up."""

    __tablename__ = "state_grant"

    name: Mapped[str] = mapped_column(String(200))
    grantor: Mapped[str] = mapped_column(String(200))
    first_year: Mapped[int]
    last_year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money())
    coordinator_unit: Mapped[str] = mapped_column(String(16), index=True)
    coordinator: Mapped[str] = mapped_column(String(200))
    # The person who reports the use each year (shared/people.py); `coordinator` stays the role in words.
    coordinator_subject: Mapped[str | None] = mapped_column(String(200), index=True)
    coordinator_name: Mapped[str | None] = mapped_column(String(200))
    reporting_deadline: Mapped[date | None]
    effect_reported: Mapped[str | None] = mapped_column(Text)
    # Indicators in the goals service that show the grant's effect, by id; checked with it on write.
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class GrantGoalLink(Tracked, Base):
    """A goal in the goals service that a grant is to serve, and how.

    Made through the API it names the goal by id (checked with the goals service). The demo data
    cannot know the ids the goals seed makes, so its links name the goal by its stable natural key
    (owning unit and title) until `resolve` looks the id up in the goals service.
    """

    __tablename__ = "grant_goal_link"
    # A goal is linked to a grant once; links named by unit and title (goal_id NULL) are not compared.
    __table_args__ = (UniqueConstraint("grant_id", "goal_id"),)

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("state_grant.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    goal_unit: Mapped[str | None] = mapped_column(String(16))
    goal_title: Mapped[str | None] = mapped_column(String(500))
    how: Mapped[str] = mapped_column(Text)


class GrantUse(Tracked, Base):
    """How much of a grant was used in a year."""

    __tablename__ = "grant_use"
    __table_args__ = (UniqueConstraint("grant_id", "year"),)

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("state_grant.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    used: Mapped[Decimal] = mapped_column(Money())
    # The indicators that show what that year's use achieved (ids in the goals service).
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class EvidenceBlob(EvidenceBlobColumns, Base):
    """A file's bytes, once per content (shared/evidence.py)."""

    __tablename__ = "evidence_blob"


class EvidenceFile(EvidenceFileColumns, Tracked, Base):
    """An evidence file on a grant's use in a year (shared/evidence.py)."""

    __tablename__ = "evidence_file"


class BalanceAdjustmentKind(StrEnum):
    """The lines of the balance requirement reconciliation (balanskravsutredning) finance enters.

    Each is kept as a positive amount; its kind says whether it is taken from the year's result or
    added to it (ADJUSTMENT_SIGN). The first six lead to the result after balance requirement
    adjustments; the reserve's two to the balance requirement result.
    """

    realisation_gain = "realisation_gain"
    unrealised_gain = "unrealised_gain"
    unrealised_loss = "unrealised_loss"
    unrealised_gain_reversal = "unrealised_gain_reversal"
    unrealised_loss_reversal = "unrealised_loss_reversal"
    reserve_provision = "reserve_provision"
    reserve_use = "reserve_use"


ADJUSTMENT_SIGN = {
    BalanceAdjustmentKind.realisation_gain: -1,  # samtliga realisationsvinster
    BalanceAdjustmentKind.unrealised_gain: -1,  # orealiserade vinster i värdepapper
    BalanceAdjustmentKind.unrealised_loss: 1,  # orealiserade förluster i värdepapper
    BalanceAdjustmentKind.unrealised_gain_reversal: 1,  # återföring av orealiserade vinster
    BalanceAdjustmentKind.unrealised_loss_reversal: -1,  # återföring av orealiserade förluster
    BalanceAdjustmentKind.reserve_provision: -1,  # reservering till resultatutjämningsreserven
    BalanceAdjustmentKind.reserve_use: 1,  # disposition från resultatutjämningsreserven
}
RESERVE_KINDS = frozenset({BalanceAdjustmentKind.reserve_provision, BalanceAdjustmentKind.reserve_use})


class BalanceAdjustment(Tracked, DecisionColumns, Base):
    """One line of a year's balance requirement reconciliation, as decided (body, date, §, diary number)."""

    __tablename__ = "balance_adjustment"

    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[BalanceAdjustmentKind] = mapped_column(_enum(BalanceAdjustmentKind, 32))
    amount: Mapped[Decimal] = mapped_column(Money())
    description: Mapped[str] = mapped_column(Text)
