from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.peers import GoalsPeerSettings
from shared.settings import ServiceSettings


class AuditSettings(ServiceSettings, GoalsPeerSettings):
    """Settings of the audit service, from AUDIT_* environment variables.

    The risk matrix is configured here, once for the region, because the auditors criticised
    risk scoring that differed between units: every body's risks are scored on this one scale.
    """

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    service_name: str = "audit"
    risk_scale_max: int = Field(default=4, ge=2, le=10, description="Likelihood and consequence run 1..this")
    risk_yellow_from: int = Field(default=4, ge=1, description="A score (likelihood × consequence) from this is yellow")
    risk_red_from: int = Field(default=9, ge=1, description="A score from this is red")
    risk_control_threshold: int = Field(
        default=6, ge=1, description="Risks scoring at or above this go into the control plan"
    )

    @model_validator(mode="after")
    def _bands_fit_the_scale(self) -> Self:
        top = self.risk_scale_max**2
        if not 1 < self.risk_yellow_from < self.risk_red_from <= top:
            raise ValueError(f"risk bands must satisfy 1 < yellow_from < red_from <= {top}")
        if not 1 <= self.risk_control_threshold <= top:
            raise ValueError(f"risk_control_threshold must be within 1..{top}")
        return self
