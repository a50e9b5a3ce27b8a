"""Settings: one pydantic-settings class per app, each with its own prefix, on one shared base."""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Known to everyone who reads this repository, so production refuses it.
DEV_SECRET = "styr-development-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


class Profile(StrEnum):
    development = "development"
    production = "production"


PROFILE_VARIABLE = "STYR_PROFILE"
# Words that mark a value copied from an example file rather than a real secret.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "example", "secret-here", "<")


# One pattern for the region's diary numbers, read by every service under this one name (not per prefix).
DIARY_NUMBER_PATTERN_VARIABLE = "STYR_DIARY_NUMBER_PATTERN"
DEFAULT_DIARY_NUMBER_PATTERN = r"^[A-ZÅÄÖ]{2,5}/\d{1,6}/\d{4}$"


def _profile_from_environment() -> Profile:
    """Production unless development is chosen explicitly, so a forgotten setting fails closed."""
    return Profile(os.environ.get(PROFILE_VARIABLE, Profile.production.value))


def default_sqlite_url(name: str) -> str:
    """The embedded default: one SQLite file per service under `data/`."""
    return f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / f'{name}.sqlite3'}"


class AppSettings(BaseSettings):
    """What every app needs. Subclasses set `env_prefix` (GOALS_, BUDGET_, AUDIT_, GATEWAY_)."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    profile: Profile = Field(
        default_factory=_profile_from_environment,
        description=f"production (the default) or development; {PROFILE_VARIABLE} sets it for every app",
    )
    log_level: str = "INFO"
    internal_secret: str = Field(
        default=DEV_SECRET,
        description="Signs the short-lived caller tokens the gateway sends to the services.",
    )
    internal_token_ttl_seconds: int = Field(default=60, ge=5, le=3600)
    max_request_head_bytes: int = Field(
        default=64 * 1024,
        ge=8 * 1024,
        le=1024 * 1024,
        description="The request line and headers together; a longer head is refused (431) and its connection closed",
    )
    request_head_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="How long a client may take to send a request's line and headers before the connection is closed",
    )
    keep_alive_timeout_seconds: int = Field(
        default=5, ge=1, le=300, description="How long an idle kept-alive connection stays open"
    )
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="The port Prometheus reads /metrics on, apart from the app's own (9464 in the manifests); "
        "unset, no metrics are served. Never the gateway's public port: only the cluster should reach it",
    )
    metrics_address: str = Field(default="0.0.0.0", description="The address the metrics port listens on")
    otlp_traces_endpoint: str | None = Field(
        default=None,
        description="An OTLP/HTTP collector's traces URL (http://otel-collector:4318/v1/traces) to export spans "
        "to; unset, no spans are recorded, though trace ids are still passed on and logged",
    )

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> AppSettings:
        if self.profile is Profile.production:
            for name in self._secret_fields():
                value = getattr(self, name)
                if (
                    value == DEV_SECRET
                    or len(value) < MIN_SECRET_LENGTH
                    or any(marker in value.lower() for marker in PLACEHOLDER_MARKERS)
                ):
                    raise ValueError(
                        f"{name} must be set to a random secret of at least {MIN_SECRET_LENGTH} characters "
                        f"in production, never to the development secret or an example's placeholder "
                        f"(set {PROFILE_VARIABLE}=development to run with the development defaults)"
                    )
        return self

    def _secret_fields(self) -> list[str]:
        return ["internal_secret"]


class ServiceSettings(AppSettings):
    """A domain service: its own database, chosen by a URL."""

    database_url: str = ""
    database_pool_size: int = Field(default=10, ge=1, le=100)
    service_name: str = ""
    diary_number_pattern: str = Field(
        default=DEFAULT_DIARY_NUMBER_PATTERN,
        validation_alias=DIARY_NUMBER_PATTERN_VARIABLE,
        description=f"The region's diary numbers (a regular expression), {DIARY_NUMBER_PATTERN_VARIABLE} for all",
    )

    @field_validator("diary_number_pattern")
    @classmethod
    def _a_regular_expression(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"{DIARY_NUMBER_PATTERN_VARIABLE} is not a regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.database_url:
            if self.profile is Profile.production:
                raise ValueError("database_url must be set in production")
            self.database_url = default_sqlite_url(self.service_name)
        return self
