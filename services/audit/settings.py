from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class AuditSettings(ServiceSettings):
    """Settings of the audit service, from AUDIT_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    service_name: str = "audit"
    diary_number_pattern: str = r"^[A-ZÅÄÖ]{2,5}/\d{1,6}/\d{4}$"
