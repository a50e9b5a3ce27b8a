from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class BudgetSettings(ServiceSettings):
    """Settings of the budget service, from BUDGET_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="BUDGET_", extra="ignore")

    service_name: str = "budget"
    goals_url: str = Field(
        default="http://127.0.0.1:8001",
        description="The goals service, asked whether org units and goals exist (with the caller's token)",
    )
    peer_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    deviation_threshold_percent: Decimal = Field(
        default=Decimal("1.0"),
        ge=0,
        le=100,
        description="A unit whose forecast or year-to-date outcome overruns its budget by more than this is flagged",
    )
