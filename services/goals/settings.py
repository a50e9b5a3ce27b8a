from pydantic_settings import SettingsConfigDict

from shared.peers import AuditPeerSettings
from shared.settings import ServiceSettings


class GoalsSettings(ServiceSettings, AuditPeerSettings):
    """Settings of the goals service, from GOALS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="GOALS_", extra="ignore")

    service_name: str = "goals"
