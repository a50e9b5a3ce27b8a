from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class BudgetSettings(ServiceSettings):
    """Settings of the budget service, from BUDGET_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="BUDGET_", extra="ignore")

    service_name: str = "budget"
