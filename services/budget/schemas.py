"""Request and response shapes of the budget service. Amounts travel as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.budget.models import (
    AccountCategory,
    BalanceAdjustmentKind,
    FollowUp,
    FrameStatus,
    InvestmentCategory,
    NeedStatus,
    ProjectStatus,
    ProposalStatus,
)
from shared.decisions import DecisionDay, DecisionIn, DecisionRead, UnitCode
from shared.fields import (
    SOME_TEXT,
    Day,
    ExactValue,
    MoneyAmount,
    NonNegativeMoney,
    PositiveMoney,
    bounded_value_schema,
    exact_decimal,
)
from shared.imports import ImportReport
from shared.people import CoordinatorIn, CoordinatorRead

Year = Annotated[int, Field(ge=2000, le=2100)]
Comment = Annotated[str, StringConstraints(max_length=4000)]
Percent = Annotated[
    ExactValue,
    Field(ge=-100, le=100, description='Percent, exact, e.g. "2.9"'),
    *exact_decimal(bounded_value_schema(100)),
]
# A share of something, 0–100 percent (the result target of tax revenue and general grants).
Share = Annotated[ExactValue, Field(ge=0, le=100), *exact_decimal(bounded_value_schema(100, "zero"))]


# --- operating frames ---------------------------------------------------------------------------


class FrameParts(BaseModel):
    """The parts a frame is built from: last year's frame plus uplifts, priorities and the running costs of
    investments starting that year, less savings."""

    model_config = ConfigDict(extra="forbid")

    last_year_frame: MoneyAmount = Decimal(0)
    index_uplift: MoneyAmount = Decimal(0)
    population_change: MoneyAmount = Decimal(0)
    activity_change: MoneyAmount = Decimal(0)
    priorities: MoneyAmount = Field(default=Decimal(0), description="Political priorities (satsningar)")
    savings: MoneyAmount = Field(default=Decimal(0), description="Savings, subtracted (effektiviseringar)")
    investment_costs: MoneyAmount = Field(
        default=Decimal(0),
        description="Running costs of the unit's investments (depreciation, interest, operation) that start this "
        "year: what they cost this year beyond last year, which the base already carries",
    )


class FrameCreate(FrameParts):
    unit_code: UnitCode
    year: Year
    comment: Comment | None = None


class FrameUpdate(BaseModel):
    """Parts to change on a proposal; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    last_year_frame: MoneyAmount | None = None
    index_uplift: MoneyAmount | None = None
    population_change: MoneyAmount | None = None
    activity_change: MoneyAmount | None = None
    priorities: MoneyAmount | None = None
    savings: MoneyAmount | None = None
    investment_costs: MoneyAmount | None = None
    comment: Comment | None = None


class FrameRevision(FrameUpdate):
    """A revision during the year: starts as a copy of the decided version, with these parts changed."""


class FrameRead(BaseModel):
    id: uuid.UUID
    unit_code: str
    year: int
    revision: int
    status: FrameStatus
    last_year_frame: MoneyAmount
    index_uplift: MoneyAmount
    population_change: MoneyAmount
    activity_change: MoneyAmount
    priorities: MoneyAmount
    savings: MoneyAmount
    investment_costs: MoneyAmount = Field(description="Running costs of investments starting this year")
    amount: MoneyAmount = Field(
        description="last year's frame + uplifts + priorities + investments' running costs − savings"
    )
    comment: str | None
    decision: DecisionRead | None
    version: int
    created_at: datetime
    updated_at: datetime


class FrameTotal(BaseModel):
    """The sum of all units' frames for a year, summed exactly in the database."""

    year: int
    status: FrameStatus
    units: int
    total: MoneyAmount


class ProposalRequest(BaseModel):
    """Uplift parameters for proposing next year's frames from this year's decided ones."""

    model_config = ConfigDict(extra="forbid")

    from_year: Year
    index_percent: Percent | None = Field(
        default=None,
        description="Price and wage uplift; the target year's LPIK from the resource calculation if left out",
    )
    population_percent: Percent = Decimal(0)
    activity_percent: Percent = Decimal(0)
    savings_percent: Percent = Decimal(0)
    priorities: dict[Annotated[str, StringConstraints(max_length=16)], MoneyAmount] = Field(
        default_factory=dict, max_length=200, description="Political priorities per unit code, in SEK"
    )
    create: bool = Field(default=False, description="Also save the proposals (as frame proposals for the year)")


class ProposedFrame(FrameParts):
    unit_code: str
    amount: MoneyAmount


class ProposalRead(BaseModel):
    """Proposed frames for a year, and whether their sum fits the room of the resource calculation."""

    year: int
    index_percent: ExactValue
    frames: list[ProposedFrame]
    total: MoneyAmount
    room: MoneyAmount
    margin: MoneyAmount = Field(description="room − total: positive fits with that much to spare, negative overruns")
    fits: bool
    created: bool


# --- resource calculation -----------------------------------------------------------------------


class ResourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    tax_revenue: MoneyAmount
    general_grants: MoneyAmount = Field(description="General state grants and equalisation")
    other_revenue: MoneyAmount = Decimal(0)
    lpik_percent: Percent = Field(description="Cost development index (LPIK), percent")
    pension_cost: MoneyAmount = Decimal(0)
    result_target_percent: Share = Field(
        default=Decimal(2), description="Result target as percent of tax revenue and general grants"
    )
    comment: Comment | None = None


class ResourceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tax_revenue: MoneyAmount | None = None
    general_grants: MoneyAmount | None = None
    other_revenue: MoneyAmount | None = None
    lpik_percent: Percent | None = None
    pension_cost: MoneyAmount | None = None
    result_target_percent: Share | None = None
    comment: Comment | None = None


class ResourceRead(BaseModel):
    id: uuid.UUID
    year: int
    tax_revenue: MoneyAmount
    general_grants: MoneyAmount
    other_revenue: MoneyAmount
    lpik_percent: ExactValue
    pension_cost: MoneyAmount
    result_target_percent: ExactValue
    result_target: MoneyAmount = Field(description="result_target_percent of tax revenue and general grants")
    room_for_frames: MoneyAmount = Field(
        description="tax revenue + general grants + other revenue − pension cost − result target"
    )
    tax_rate: ExactValue | None = Field(
        description="Kronor per 100 of taxable income, fixed when the council adopts a scenario of the year"
    )
    comment: str | None
    version: int
    updated_at: datetime


# --- outcomes, periodised budgets, forecasts, closed years ----------------------------------------

Month = Annotated[int, Field(ge=1, le=12, description="1–12")]


class OutcomeIn(BaseModel):
    """One ledger row: a unit's booked amount for a month and an account category."""

    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    year: Year
    month: Month
    category: AccountCategory
    amount: MoneyAmount


class OutcomeBatch(BaseModel):
    """Rows from the ledger export, saved together or not at all."""

    model_config = ConfigDict(extra="forbid")

    rows: list[OutcomeIn] = Field(min_length=1, max_length=5000)


class OutcomeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyAmount


class OutcomeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_code: str
    year: int
    month: int
    category: AccountCategory
    amount: MoneyAmount
    source: str | None = Field(
        description="`ledger-import` when the ledger import wrote it; null when keyed in by hand"
    )
    batch_id: uuid.UUID | None = Field(
        default=None, description="The ledger import batch whose rows make up the amount, while the import's"
    )
    version: int
    updated_at: datetime


class LedgerImportReport(ImportReport):
    """The ledger import's report, with the batch its rows are kept under."""

    batch_id: uuid.UUID | None = Field(
        default=None,
        description="The import batch whose ledger rows make up the outcomes this run created or changed; "
        "null for a dry run and for a run that changed nothing",
    )
    rows_kept: int = Field(default=0, description="Ledger rows kept with the batch")


Account = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,10}$"),
    Field(description="A ledger account number, or its leading digits", examples=["4010"]),
]


class AccountMappingCreate(BaseModel):
    """Ledger accounts from `account_from` to `account_to` (same number of digits) belong to a category.

    "5" to "5" is every account starting with 5; "4010" to "4010" is one account; "4000" to "4999" a
    range. The longest rule matching an account decides; rules of one length may not overlap.
    """

    model_config = ConfigDict(extra="forbid")

    account_from: Account
    account_to: Account | None = Field(default=None, description="The last account of the range; the first if left out")
    category: AccountCategory
    comment: Comment | None = None

    @model_validator(mode="after")
    def _a_range_of_equal_length(self) -> Self:
        last = self.account_to or self.account_from
        if len(last) != len(self.account_from):
            raise ValueError("account_from and account_to must have the same number of digits")
        if last < self.account_from:
            raise ValueError("account_to comes before account_from")
        self.account_to = last
        return self


class AccountMappingUpdate(BaseModel):
    """A changed rule; the range is checked again against the other rules."""

    model_config = ConfigDict(extra="forbid")

    account_from: Account | None = None
    account_to: Account | None = None
    category: AccountCategory | None = None
    comment: Comment | None = None


class AccountMappingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_from: str
    account_to: str
    category: AccountCategory
    comment: str | None
    version: int
    updated_at: datetime


class OutcomeBatchRead(BaseModel):
    created: int
    units: list[str]


class PeriodisationIn(BaseModel):
    """The year's budget month by month; the twelve must add up to the unit's frame for the year."""

    model_config = ConfigDict(extra="forbid")

    months: list[MoneyAmount] = Field(min_length=12, max_length=12, description="January to December")
    comment: Comment | None = None


class PeriodisationRead(BaseModel):
    id: uuid.UUID
    unit_code: str
    year: int
    months: list[MoneyAmount]
    total: MoneyAmount
    comment: str | None
    version: int
    updated_at: datetime


class ForecastCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    year: Year
    follow_up: FollowUp
    amount: MoneyAmount = Field(description="Expected net cost for the whole year")
    comment: Comment | None = None


class ForecastUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyAmount | None = None
    comment: Comment | None = None


class ForecastRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_code: str
    year: int
    follow_up: FollowUp
    amount: MoneyAmount
    comment: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ClosedYearCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    closed_on: Day
    comment: Comment | None = None


class ClosedYearRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    year: int
    closed_on: date
    comment: str | None
    version: int


# --- read models: the economy per unit and for the region ----------------------------------------


class OutcomeSummary(BaseModel):
    """Year-to-date outcome: revenue, costs per category, and net cost (costs − revenue)."""

    revenue: MoneyAmount
    personnel: MoneyAmount
    purchased_care: MoneyAmount
    pharmaceuticals: MoneyAmount
    other_costs: MoneyAmount
    depreciation: MoneyAmount
    costs: MoneyAmount
    net_cost: MoneyAmount


class Figure(StrEnum):
    """A figure of the economy read models made of ledger rows: an account category, or costs or net cost."""

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
    costs = "costs"
    net_cost = "net_cost"


class LedgerRowRead(BaseModel):
    """One row making up a figure: a ledger row with its import batch, or an outcome keyed in by hand."""

    unit_code: str
    year: int
    month: int
    category: AccountCategory
    account: str | None = Field(description="The ledger account; null for an outcome keyed in by hand")
    amount: MoneyAmount = Field(description="As the outcome counts it: revenue and costs both positive")
    booked: MoneyAmount | None = Field(description="As the ledger booked it (credit negative); null when keyed in")
    counted: MoneyAmount = Field(
        description="What the row adds to the figure asked for: in a net cost, revenue counts negative"
    )
    source: str = Field(description="`ledger-import`, or `keyed` for an outcome keyed in (or corrected) by hand")
    outcome_id: uuid.UUID = Field(description="The outcome (unit, month, category) the row adds up to")
    row_id: int | None = Field(description="The ledger row's number; null when keyed in")
    line: int | None = Field(description="The row's line in the imported file (0 for rows carried over)")
    batch_id: uuid.UUID | None = Field(description="The import batch the row came from")
    imported_at: datetime | None
    imported_by: str | None = Field(description="Who ran the import (their name)")


class Deviation(BaseModel):
    """Budget − actual, in SEK and as percent of the budget: negative is an overrun (Swedish convention)."""

    amount: MoneyAmount
    percent: Decimal | None = Field(description="Percent of the budget, two decimals; null when the budget is 0")
    flagged: bool = Field(description="An overrun of more than the threshold")


class ForecastSummary(BaseModel):
    follow_up: FollowUp
    amount: MoneyAmount
    comment: str | None


class UnitEconomy(BaseModel):
    """A unit's economy through a month: frame, year-to-date budget and outcome, forecast and deviations."""

    unit_code: str
    frame: MoneyAmount | None = Field(description="The frame in force on `as_of`: the latest version decided by then")
    frame_revision: int | None = Field(default=None, description="The revision of that frame; null for the totals")
    frame_decided_on: date | None = Field(default=None, description="When that frame was decided")
    budget_ytd: MoneyAmount | None
    budget_ytd_source: str | None = Field(description="periodised, or even (frame × months / 12) without one")
    outcome_ytd: OutcomeSummary
    forecast: ForecastSummary | None = Field(description="The latest forecast made at or before the follow-up")
    forecast_deviation: Deviation | None = Field(description="frame − forecast")
    ytd_deviation: Deviation | None = Field(description="year-to-date budget − year-to-date net cost")
    flagged: bool


AS_OF_ANSWER = "The date the answer speaks for: the follow-up's (or month's) end unless `as_of` was given"


class UnitEconomyRead(UnitEconomy):
    year: int
    through_month: int = Field(description="Outcomes of the months through this one (0 before January ended)")
    as_of: date = Field(description=AS_OF_ANSWER)
    threshold_percent: Decimal


class RegionResult(BaseModel):
    """The region's result: revenue − cost, against the result target and the balance requirement."""

    tax_and_grants_and_other_revenue: MoneyAmount = Field(description="From the resource calculation, for the year")
    pension_cost: MoneyAmount
    result_target: MoneyAmount
    budgeted_result: MoneyAmount = Field(description="Revenue − pension cost − the frames in force")
    revenue_ytd: MoneyAmount = Field(description="Operating revenue booked + general revenue × months / 12")
    cost_ytd: MoneyAmount = Field(description="Operating costs booked + pension cost × months / 12")
    result_ytd: MoneyAmount
    result_target_ytd: MoneyAmount
    balance_requirement_met_ytd: bool = Field(description="Revenue exceeds cost so far")
    net_cost_forecast: MoneyAmount = Field(description="Each unit's latest forecast, or its frame without one")
    result_forecast: MoneyAmount
    result_forecast_percent: Decimal | None = Field(
        description="The forecast result as percent of tax revenue and general grants, two decimals"
    )
    result_target_percent: Decimal = Field(description="The result target, percent of tax revenue and general grants")
    balance_requirement_met_forecast: bool
    result_target_met_forecast: bool


class RegionEconomyRead(BaseModel):
    """Every unit's economy through a month, the region's totals and its result, aggregated in SQL."""

    year: int
    through_month: int = Field(description="Outcomes of the months through this one (0 before January ended)")
    as_of: date = Field(description=AS_OF_ANSWER)
    threshold_percent: Decimal
    units: list[UnitEconomy]
    totals: UnitEconomy
    flagged_units: list[str]
    result: RegionResult | None = Field(description="Null while the year has no resource calculation")


# --- investments --------------------------------------------------------------------------------

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]


class InvestmentFrameCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    amount: MoneyAmount
    comment: Comment | None = None


class InvestmentFrameUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyAmount | None = None
    comment: Comment | None = None


class InvestmentFrameRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    year: int
    amount: MoneyAmount
    comment: str | None
    version: int


class InvestmentYearIn(BaseModel):
    """One year of a project's plan; the operating-cost consequences are what the frames must later carry."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    year: Year
    planned: MoneyAmount = Decimal(0)
    outcome: MoneyAmount = Decimal(0)
    depreciation: MoneyAmount = Decimal(0)
    interest: MoneyAmount = Decimal(0)
    running_costs: MoneyAmount = Decimal(0)


class InvestmentYearRead(InvestmentYearIn):
    """One year of a project's plan, as answered: its own schema, so the document has no -Input/-Output pair."""


class InvestmentPlan(BaseModel):
    """A project's yearly plan: each year once; the planned amounts add up to the project's total."""

    model_config = ConfigDict(extra="forbid")

    years: list[InvestmentYearIn] = Field(max_length=50)

    @model_validator(mode="after")
    def _each_year_once(self) -> Self:
        if len({y.year for y in self.years}) != len(self.years):
            raise ValueError("each year once in the plan")
        return self


class PlanReplacement(InvestmentPlan):
    """A new yearly plan, and the new total when it changes."""

    total: MoneyAmount | None = None


class InvestmentCreate(InvestmentPlan):
    name: Name
    owner_unit: UnitCode
    category: InvestmentCategory
    status: ProjectStatus = ProjectStatus.proposed
    total: MoneyAmount
    description: Comment | None = None


class InvestmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    category: InvestmentCategory | None = None
    status: ProjectStatus | None = None
    description: Comment | None = None


class InvestmentRead(BaseModel):
    id: uuid.UUID
    name: str
    owner_unit: str
    category: InvestmentCategory
    status: ProjectStatus
    total: MoneyAmount
    description: str | None
    years: list[InvestmentYearRead]
    first_year: int | None
    last_year: int | None
    outcome_to_date: MoneyAmount
    version: int
    updated_at: datetime


class PlanYear(BaseModel):
    """One year of the investment plan: the frame against the projects' plans, and what they bring."""

    year: int
    beyond_plan_period: bool = Field(description="After the plan period; shown so the horizon is visible")
    frame: MoneyAmount | None
    planned: MoneyAmount
    planned_by_category: dict[InvestmentCategory, MoneyAmount]
    frame_margin: MoneyAmount | None = Field(description="frame − planned; negative when the plans exceed the frame")
    outcome: MoneyAmount | None = Field(description="The year's outcome; null while the year had not ended on `as_of`")
    depreciation: MoneyAmount
    interest: MoneyAmount
    running_costs: MoneyAmount
    operating_consequences: MoneyAmount = Field(description="depreciation + interest + running costs")
    projects: int


class InvestmentPlanRead(BaseModel):
    from_year: int
    as_of: date = Field(description="Outcomes of the years ended by this date; today unless `as_of` was given")
    plan_period_years: int
    years: list[PlanYear]
    total_planned: MoneyAmount


# --- targeted state grants ----------------------------------------------------------------------

LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=SOME_TEXT)]


class GrantCreate(CoordinatorIn):
    model_config = ConfigDict(extra="forbid")

    name: Name
    grantor: Name = Field(examples=["Socialstyrelsen", "SKR"])
    first_year: Year
    last_year: Year
    amount: MoneyAmount
    coordinator_unit: UnitCode
    coordinator: Name = Field(description="The coordinator's role, in words")
    reporting_deadline: Day | None = Field(default=None, description="When the grantor wants the report")
    effect_reported: LongText | None = None
    indicator_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Indicators in the goals service that show its effect"
    )

    @model_validator(mode="after")
    def _years_in_order(self) -> Self:
        if self.last_year < self.first_year:
            raise ValueError("last_year must not be before first_year")
        return self


class GrantUpdate(CoordinatorIn):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    grantor: Name | None = None
    amount: MoneyAmount | None = None
    coordinator: Name | None = None
    reporting_deadline: Day | None = None
    effect_reported: LongText | None = None
    indicator_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="Replaces the indicators that show the grant's effect"
    )


class GoalLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal_id: uuid.UUID
    how: LongText = Field(description="How the grant serves the goal")


class GoalLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    goal_id: uuid.UUID | None = Field(description="Null while a demo link by unit and title is not resolved")
    goal_unit: str | None
    goal_title: str | None
    how: str
    version: int


class GrantUseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    used: MoneyAmount
    indicator_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=50,
        description="The indicators that show what the year's use achieved; left out, those recorded stay",
    )


class GrantUseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    used: MoneyAmount
    indicator_ids: list[uuid.UUID] = Field(description="Indicators that show what the year's use achieved")
    version: int


class GrantRead(CoordinatorRead):
    id: uuid.UUID
    name: str
    grantor: str
    first_year: int
    last_year: int
    amount: MoneyAmount
    coordinator_unit: str
    coordinator: str
    reporting_deadline: date | None
    effect_reported: str | None
    indicator_ids: list[uuid.UUID] = Field(description="Indicators in the goals service that show the grant's effect")
    goals: list[GoalLinkRead]
    has_goal: bool = Field(description="False for a grant with no goal linked, which the auditors ask to see")
    used: list[GrantUseRead]
    used_total: MoneyAmount
    version: int
    updated_at: datetime


class GrantSummaryRow(BaseModel):
    id: uuid.UUID
    name: str
    grantor: str
    amount: MoneyAmount
    used_total: MoneyAmount = Field(description="Used in the years ended by `as_of`")
    goals: int
    reporting_deadline: date | None


class GrantSummary(BaseModel):
    """All grants running in a year: amounts, use, and those with no goal linked."""

    year: int
    as_of: date = Field(description="Uses of the years ended by this date; today unless `as_of` was given")
    grants: int
    amount: MoneyAmount
    used_in_year: MoneyAmount | None = Field(description="Null while the year had not ended on `as_of`")
    without_goal: list[GrantSummaryRow]
    rows: list[GrantSummaryRow]


# --- the year's accounts: income statement, result target, balance requirement -------------------

Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=SOME_TEXT)]


class BalanceAdjustmentCreate(BaseModel):
    """A line of the year's balance requirement reconciliation, entered by finance as it was decided."""

    model_config = ConfigDict(extra="forbid")

    year: Year
    kind: BalanceAdjustmentKind = Field(
        description="realisation_gain, unrealised_gain and unrealised_loss_reversal are taken from the result; "
        "unrealised_loss and unrealised_gain_reversal added; reserve_provision (to the result equalisation "
        "reserve) taken from and reserve_use added to the result after adjustments"
    )
    amount: PositiveMoney = Field(description="Positive; the kind says whether it is taken or added")
    description: Description = Field(examples=["Försäljning av aktier i pensionsportföljen"])
    decision: DecisionIn


class BalanceAdjustmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: PositiveMoney | None = None
    description: Description | None = None
    decision: DecisionIn | None = None


class BalanceAdjustmentRead(BaseModel):
    id: uuid.UUID
    year: int
    kind: BalanceAdjustmentKind
    amount: MoneyAmount
    effect: MoneyAmount = Field(description="What the line does to the result: −amount or +amount by its kind")
    description: str
    decision: DecisionRead | None
    version: int
    updated_at: datetime


class AccountsLine(BaseModel):
    """One line of the income statement, signed as it adds to the result (revenue +, costs −)."""

    amount: MoneyAmount
    categories: list[AccountCategory] = Field(description="The ledger's account categories it sums")
    accounts: list[str] = Field(description="The account plan's rules of those categories, e.g. 3, 40–44")


class IncomeStatement(BaseModel):
    """Resultaträkning: the year's ledger rows, all units, summed by category."""

    operating_revenue: AccountsLine = Field(description="Verksamhetens intäkter")
    operating_costs: AccountsLine = Field(description="Verksamhetens kostnader, central pension costs included")
    depreciation: AccountsLine = Field(description="Avskrivningar")
    net_operating_cost: MoneyAmount = Field(description="Verksamhetens nettokostnad: the three lines above")
    tax_revenue: AccountsLine = Field(description="Skatteintäkter")
    general_grants: AccountsLine = Field(description="Generella statsbidrag och utjämning")
    operating_result: MoneyAmount = Field(description="Verksamhetens resultat: net operating cost + taxes + grants")
    financial_income: AccountsLine = Field(description="Finansiella intäkter")
    financial_costs: AccountsLine = Field(description="Finansiella kostnader")
    result: MoneyAmount = Field(description="Årets resultat: the sum of the year's ledger rows, credits positive")


class ResultAgainstTarget(BaseModel):
    """The result target (resultatmål) of the resource calculation, applied to the year's taxes and grants."""

    target_percent: Decimal = Field(description="The resource calculation's result_target_percent")
    taxes_and_general_grants: MoneyAmount = Field(description="Tax revenue + general grants and equalisation, booked")
    target: MoneyAmount
    result_percent: Decimal | None = Field(description="The result as percent of taxes and grants, two decimals")
    met: bool


class Deficit(BaseModel):
    """A negative balance requirement result, to be restored within three years."""

    year: int
    deficit: MoneyAmount
    remaining: MoneyAmount = Field(description="What is still to restore after the later years' surpluses")
    restore_by: date = Field(description="The end of the third year after the deficit")
    missed: bool = Field(description="Still to restore after its last year")


class BalanceRequirement(BaseModel):
    """Balanskravsutredning, as the law reconciles it."""

    result: MoneyAmount = Field(description="Årets resultat")
    adjustments: list[BalanceAdjustmentRead] = Field(description="Realisation gains, unrealised changes in securities")
    result_after_adjustments: MoneyAmount = Field(description="Årets resultat efter balanskravsjusteringar")
    reserve: list[BalanceAdjustmentRead] = Field(description="To and from the result equalisation reserve (RUR)")
    balance_requirement_result: MoneyAmount = Field(description="Balanskravsresultat")
    met: bool = Field(description="The balance requirement result is not negative")
    deficits_to_restore: list[Deficit] = Field(
        description="This year's deficit and the earlier three years' still to restore, oldest first"
    )
    to_restore: MoneyAmount = Field(description="The sum of what the deficits still need")


class YearAccounts(BaseModel):
    """The year's accounts from the ledger: the income statement, the result target, the balance requirement."""

    year: int
    as_of: date = Field(description="The year's end: the accounts speak for 31 December")
    closed: bool = Field(description="False while finance has not closed the year's books: figures may change")
    closed_on: date | None
    has_data: bool = Field(description="False when the ledger has no rows for the year: there are no accounts")
    note: str | None = Field(description="Why something is missing, in words")
    income_statement: IncomeStatement | None
    result_target: ResultAgainstTarget | None = Field(description="Null without a resource calculation for the year")
    balance_requirement: BalanceRequirement | None


# --- scenarios on the resource calculation, and the council's fees -----------------------------

ScenarioName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=SOME_TEXT)]
TaxRate = Annotated[
    ExactValue,
    Field(gt=0, le=100, description='Kronor per 100 of taxable income, e.g. "11.35"'),
    *exact_decimal(bounded_value_schema(100, "above")),
]
Inhabitants = Annotated[int, Field(gt=0, le=100_000_000, description="Inhabitants")]
Growth = Annotated[
    ExactValue,
    Field(ge=-50, le=50, description='Percent a year, exact, e.g. "4.2"'),
    *exact_decimal(bounded_value_schema(50)),
]
PLAN_YEARS = 3  # the budget year and its two plan years


class ScenarioYearIn(BaseModel):
    """A year of a scenario: how the tax base and population grow, the index, and the other lines."""

    model_config = ConfigDict(extra="forbid")

    year: Year
    tax_base_growth_percent: Growth = Field(description="Growth of the tax base (skatteunderlag) that year, percent")
    population: Inhabitants = Field(description="Inhabitants that year")
    lpik_percent: Percent = Field(description="Price and wage index (LPIK) that year, percent")
    pension_cost: MoneyAmount
    general_grants: MoneyAmount = Field(description="General state grants and equalisation")
    other_revenue: MoneyAmount = Decimal(0)


def the_plan_period(year: int, years: list[ScenarioYearIn]) -> list[ScenarioYearIn]:
    """The budget year and its two plan years, in order; a ValueError when `years` are not exactly those."""
    wanted = list(range(year, year + PLAN_YEARS))
    if sorted(y.year for y in years) != wanted:
        raise ValueError(f"years must be {wanted[0]}, {wanted[1]} and {wanted[2]}, each once")
    return sorted(years, key=lambda y: y.year)


class ScenarioCreate(BaseModel):
    """A named scenario for the budget year in the path; `years` are that year and the two plan years."""

    model_config = ConfigDict(extra="forbid")

    name: ScenarioName = Field(examples=["Oförändrad skattesats"])
    tax_rate: TaxRate
    starting_tax_base: PositiveMoney = Field(
        description="The tax base (skatteunderlag) of the year before the budget year, SEK"
    )
    starting_population: Inhabitants = Field(description="Inhabitants the year before the budget year")
    result_target_percent: Share | None = Field(
        default=None, description="Percent of tax revenue and general grants; the resource calculation's by default"
    )
    years: list[ScenarioYearIn] = Field(min_length=PLAN_YEARS, max_length=PLAN_YEARS)
    comment: Comment | None = None


class ScenarioUpdate(BaseModel):
    """Figures to change on a draft scenario; `years`, when sent, gives all three years again."""

    model_config = ConfigDict(extra="forbid")

    name: ScenarioName | None = None
    tax_rate: TaxRate | None = None
    starting_tax_base: PositiveMoney | None = None
    starting_population: Inhabitants | None = None
    result_target_percent: Share | None = None
    years: list[ScenarioYearIn] | None = Field(default=None, min_length=PLAN_YEARS, max_length=PLAN_YEARS)
    comment: Comment | None = None


class ScenarioYearRead(ScenarioYearIn):
    """A year's figures as sent, and what they give."""

    tax_base: MoneyAmount = Field(description="The starting tax base grown year by year")
    tax_revenue: MoneyAmount = Field(description="tax base × tax rate / 100")
    result_target: MoneyAmount
    room_for_frames: MoneyAmount = Field(
        description="tax revenue + general grants + other revenue − pension cost − result target"
    )
    frames: MoneyAmount = Field(
        description="The frames in force the year before the budget year, uplifted year by year by the index "
        "and by the change in population"
    )
    margin: MoneyAmount = Field(description="room for frames − frames; negative when they do not fit")


class ScenarioRead(BaseModel):
    id: uuid.UUID
    year: int
    name: str
    status: str
    tax_rate: ExactValue
    starting_tax_base: MoneyAmount
    starting_population: int
    result_target_percent: ExactValue
    years: list[ScenarioYearRead]
    comment: str | None
    decision: DecisionRead | None
    version: int
    updated_at: datetime


class DecidedYear(BaseModel):
    """A plan year as the resource calculation in force has it, to set the scenarios against."""

    year: int
    tax_rate: ExactValue | None
    room_for_frames: MoneyAmount
    frames: MoneyAmount = Field(description="The frames in force uplifted by the calculation's index")
    margin: MoneyAmount


class ScenarioYearCompared(BaseModel):
    year: int
    tax_revenue: MoneyAmount
    room_for_frames: MoneyAmount
    frames: MoneyAmount
    margin: MoneyAmount
    room_difference: MoneyAmount | None = Field(
        description="This room less the resource calculation's; null for a year without one"
    )


class UnitFrames(BaseModel):
    unit_code: str
    frames: list[MoneyAmount] = Field(description="The unit's frame in each of the three years")


class ScenarioCompared(BaseModel):
    id: uuid.UUID
    name: str
    status: str
    tax_rate: ExactValue
    years: list[ScenarioYearCompared]
    units: list[UnitFrames]


class ScenarioComparison(BaseModel):
    """The year's scenarios side by side with the resource calculation in force."""

    year: int
    years: list[int]
    base_year_frames: MoneyAmount = Field(description="The frames in force the year before the budget year")
    decided: list[DecidedYear] = Field(description="The resource calculation of each year that has one")
    scenarios: list[ScenarioCompared]


FeeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]
ChargeUnit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=SOME_TEXT)]


class FeeCreate(BaseModel):
    """A fee the council set, with its decision."""

    model_config = ConfigDict(extra="forbid")

    year: Year
    name: FeeName = Field(examples=["Patientavgift, besök i primärvården"])
    amount: NonNegativeMoney
    charge_unit: ChargeUnit = Field(description="What the amount is charged per", examples=["besök"])
    decision: DecisionIn
    comment: Comment | None = None


class FeeUpdate(BaseModel):
    """A fee changed by a later decision of the council, which is kept with it."""

    model_config = ConfigDict(extra="forbid")

    name: FeeName | None = None
    amount: NonNegativeMoney | None = None
    charge_unit: ChargeUnit | None = None
    decision: DecisionIn
    comment: Comment | None = None


class FeeRead(BaseModel):
    id: uuid.UUID
    year: int
    name: str
    amount: MoneyAmount
    charge_unit: str
    decision: DecisionRead | None
    comment: str | None
    version: int
    updated_at: datetime


# --- needs and budget dialogues ------------------------------------------------------------------

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=SOME_TEXT)]


class NeedAmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    amount: NonNegativeMoney


def the_three_years(year: int, amounts: list[NeedAmountIn]) -> list[NeedAmountIn]:
    """Amounts for the budget year and its two plan years, in order; a ValueError otherwise."""
    wanted = list(range(year, year + PLAN_YEARS))
    if sorted(a.year for a in amounts) != wanted:
        raise ValueError(f"amounts must be for {wanted[0]}, {wanted[1]} and {wanted[2]}, each once")
    return sorted(amounts, key=lambda a: a.year)


class NeedCreate(BaseModel):
    """A committee's need for the plan period starting `year`: an amount for each of its three years.

    That the amounts are those three years is checked once the caller may submit for the unit (the guard reads
    the body's unit first), so a caller who may not is refused rather than told what is wrong with the body.
    """

    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    year: Year = Field(description="The budget year; the plan period is it and the two years after")
    title: Title = Field(examples=["Utökad kapacitet i barn- och ungdomspsykiatrin"])
    justification: Text
    priority: int = Field(ge=1, le=999, description="The committee's own order: 1 first")
    amounts: list[NeedAmountIn] = Field(min_length=PLAN_YEARS, max_length=PLAN_YEARS)
    goal_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="Goals the need serves")


class NeedUpdate(BaseModel):
    """What to change on a need not yet answered; `amounts` and `goal_ids`, when sent, replace the old."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    justification: Text | None = None
    priority: int | None = Field(default=None, ge=1, le=999)
    amounts: list[NeedAmountIn] | None = Field(default=None, min_length=PLAN_YEARS, max_length=PLAN_YEARS)
    goal_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)


GRANTED_OUTCOMES = (NeedStatus.granted, NeedStatus.partly_granted, NeedStatus.not_granted)


class NeedOutcomeIn(BaseModel):
    """The budget's answer to a need: granted in full, in part (with the amounts), or not."""

    model_config = ConfigDict(extra="forbid")

    outcome: NeedStatus = Field(description="granted, partly_granted or not_granted")
    granted: list[NeedAmountIn] | None = Field(
        default=None, description="For partly_granted: the amount given each of the three years"
    )
    comment: Comment | None = None

    @model_validator(mode="after")
    def _amounts_only_in_part(self) -> Self:
        if self.outcome not in GRANTED_OUTCOMES:
            raise ValueError("outcome is granted, partly_granted or not_granted")
        if (self.outcome is NeedStatus.partly_granted) != (self.granted is not None):
            raise ValueError("granted amounts are sent for partly_granted, and only then")
        return self


class NeedAmount(BaseModel):
    """An amount of a need for one year of its plan period."""

    year: int
    amount: MoneyAmount


class NeedRead(BaseModel):
    id: uuid.UUID
    unit_code: str
    year: int
    title: str
    justification: str
    priority: int
    amounts: list[NeedAmount]
    goal_ids: list[uuid.UUID]
    status: NeedStatus
    granted: list[NeedAmount] | None = Field(description="What the budget gave each year, once answered")
    frame_id: uuid.UUID | None = Field(description="The frame proposal whose political priorities carry it")
    outcome_comment: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class DialogueCreate(BaseModel):
    """A budget dialogue between the board and a committee about the plan period starting `year`."""

    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    year: Year
    held_on: DecisionDay
    participants: Text = Field(description="Who took part, for the board and for the committee")
    agreed: Text = Field(description="What was agreed")


class DialogueUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: DecisionDay | None = None
    participants: Text | None = None
    agreed: Text | None = None


class DialogueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_code: str
    year: int
    held_on: date
    participants: str
    agreed: str
    version: int
    updated_at: datetime


# --- forecast proposals --------------------------------------------------------------------------


class ForecastProposalRequest(BaseModel):
    """Which unit and follow-up to propose forecasts for: one per account category of the unit."""

    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    year: Year
    follow_up: FollowUp = Field(description="T1 or T2: the outcome so far is that of the months ended by then")


class ForecastChoice(BaseModel):
    """The editor's choice: accept the proposal as it is, or adjust it to another amount."""

    model_config = ConfigDict(extra="forbid")

    accept: bool = Field(default=False, description="Take the proposal as it is")
    amount: NonNegativeMoney | None = Field(default=None, description="The full-year amount chosen instead")
    comment: Comment | None = None

    @model_validator(mode="after")
    def _one_of_the_two(self) -> Self:
        if self.accept == (self.amount is not None):
            raise ValueError("send accept: true, or an amount to adjust the proposal to, not both")
        return self


class ForecastProposalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_code: str
    year: int
    follow_up: FollowUp
    category: AccountCategory
    outcome_so_far: MoneyAmount
    last_year_so_far: MoneyAmount = Field(description="Last year's outcome by the same month")
    last_year_total: MoneyAmount
    proposed: MoneyAmount = Field(
        description="outcome so far × last year's total / last year's so far; the months' average × 12 without "
        "a profile"
    )
    status: ProposalStatus
    chosen: MoneyAmount | None
    comment: str | None
    version: int
    updated_at: datetime


# --- the plan period side by side -----------------------------------------------------------------


class PlanFrame(BaseModel):
    """A unit's frame of one year: the newest version against the previous decided version of that year."""

    amount: MoneyAmount
    status: FrameStatus = Field(description="`proposal` while one is in preparation, else the decision in force")
    revision: int
    investment_costs: MoneyAmount = Field(description="The part of the frame that is investments' running costs")
    previous_decided: MoneyAmount | None = Field(description="The previous decided version's amount, if any")
    previous_revision: int | None
    difference: MoneyAmount | None = Field(description="amount − previous_decided")


class PlanNeeds(BaseModel):
    """The needs submitted for the period, what they ask for a year and what was granted."""

    count: int
    unanswered: int = Field(description="Needs still awaiting the budget's answer")
    requested: MoneyAmount
    granted: MoneyAmount | None = Field(description="Null while no need has an answer")
    previous_granted: MoneyAmount | None = Field(description="What the previous round's needs were granted this year")
    difference: MoneyAmount | None = Field(description="granted − previous_granted")


class PlanInvestments(BaseModel):
    """The investments planned for a year (cancelled projects left out) and the running costs they bring."""

    planned: MoneyAmount = Decimal(0)
    depreciation: MoneyAmount = Decimal(0)
    interest: MoneyAmount = Decimal(0)
    running_costs: MoneyAmount = Decimal(0)


PLAN_PERIOD_AS_OF = Field(
    default=None,
    description="The date the answer speaks for, when read as at a date (`as_of`) or by the council: only what "
    "was decided by then, without frame proposals and needs; null for the planning material as it stands",
)
NEEDS_IN_PLANNING = "Null when read as at a date or by the council: needs are planning material, dated by no decision"


class PlanPeriodYear(BaseModel):
    year: int
    frame: PlanFrame | None
    needs: PlanNeeds | None = Field(description=NEEDS_IN_PLANNING)
    investments: PlanInvestments


class UnitPlanPeriod(BaseModel):
    """A unit's budget year and two plan years side by side."""

    unit_code: str
    year: int = Field(description="The budget year; the two after it are the plan years")
    as_of: date | None = PLAN_PERIOD_AS_OF
    years: list[PlanPeriodYear]


class PlanResources(BaseModel):
    """What a year's resource calculation leaves for frames, and the adopted scenario against the previous one."""

    tax_rate: ExactValue | None
    room_for_frames: MoneyAmount | None = Field(description="From the year's resource calculation; null without one")
    margin: MoneyAmount | None = Field(description="room_for_frames − the frames")
    adopted_scenario_room: MoneyAmount | None = Field(description="The room the budget year's adopted scenario gives")
    previous_adopted_room: MoneyAmount | None = Field(
        description="The room the previous year's adopted scenario gave this year"
    )
    room_difference: MoneyAmount | None = Field(description="adopted_scenario_room − previous_adopted_room")


class RegionPlanYear(BaseModel):
    year: int
    frames: MoneyAmount | None = Field(description="The units' newest frame versions, summed")
    previous_decided_frames: MoneyAmount | None = Field(
        description="The previous decided versions, summed over the units whose frame has one"
    )
    frames_difference: MoneyAmount | None = Field(description="The units' differences, summed")
    investment_costs_in_frames: MoneyAmount | None
    needs_requested: MoneyAmount | None = Field(description=NEEDS_IN_PLANNING)
    needs_granted: MoneyAmount | None
    needs_previous_granted: MoneyAmount | None
    investments: PlanInvestments
    resources: PlanResources


class AdoptedScenario(BaseModel):
    """A scenario the council adopted for a year of the plan period, which fixed that year's tax rate."""

    id: uuid.UUID
    year: int = Field(description="The budget year it was adopted for")
    name: str
    tax_rate: ExactValue = Field(description="Kronor per 100 of taxable income")
    decision: DecisionRead


class RegionPlanPeriod(BaseModel):
    """The region's budget year and two plan years: the totals with the resources, and every unit's."""

    year: int
    as_of: date | None = PLAN_PERIOD_AS_OF
    adopted_scenarios: list[AdoptedScenario] = Field(
        default_factory=list,
        description="The scenarios adopted for the budget year and the plan years (as at `as_of`: adopted by "
        "then), by year: the budget year's sets the rooms of `adopted_scenario_room`",
    )
    years: list[RegionPlanYear]
    units: list[UnitPlanPeriod]
