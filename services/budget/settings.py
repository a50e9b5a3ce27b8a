from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.peers import GoalsPeerSettings
from shared.settings import ServiceSettings


class BudgetSettings(ServiceSettings, GoalsPeerSettings):
    """Settings of the budget service, from BUDGET_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="BUDGET_", extra="ignore")

    service_name: str = "budget"
    deviation_threshold_percent: Decimal = Field(
        default=Decimal("1.0"),
        ge=0,
        le=100,
        description="A unit whose forecast or year-to-date outcome overruns its budget by more than this is flagged",
    )
