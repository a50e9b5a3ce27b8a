from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.auth.policy import parse_role_claims
from shared.auth.tokens import DEV_AUDIENCE, DEV_ISSUER
from shared.settings import DEV_SECRET, AppSettings, Profile


class GatewaySettings(AppSettings):
    """Settings of the gateway, from GATEWAY_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    jwt_secret: str = Field(default=DEV_SECRET, description="HS256 secret for development tokens only")
    jwt_issuer: str = DEV_ISSUER
    jwt_audience: str = DEV_AUDIENCE
    jwt_algorithms: list[str] = Field(default=["HS256"])
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwks_url: str | None = None
    jwks_file: str | None = None
    jwks_min_refresh_seconds: float = Field(default=60.0, ge=0)
    role_claim: str = Field(
        default="roles",
        description="Where the token holds role names: `roles` (Entra ID app roles), `groups`, or a dotted "
        "path such as `realm_access.roles` (Keycloak)",
    )
    role_map: dict[str, list[str]] = Field(
        default={},
        description="The provider's role or group names mapped to Styr roles, e.g. "
        '{"Styr-HSN-Editor": ["HSN:editor"]}; when set, names not in it grant nothing',
    )

    goals_url: str = "http://127.0.0.1:8001"
    budget_url: str = "http://127.0.0.1:8002"
    audit_url: str = "http://127.0.0.1:8003"
    http_client: Literal["aiohttp", "httpx"] = Field(
        default="aiohttp",
        description="The connection pool the gateway calls the services with (see benchmarks/bench_gateway.py)",
    )
    service_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    org_tree_ttl_seconds: float = Field(default=30.0, ge=0)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(
        default=11 * 1024 * 1024,
        ge=1024,
        description="A multipart upload (an evidence file of at most 10 MiB, with its multipart framing)",
    )
    rate_limit_per_minute: int = Field(
        default=1200, ge=0, description="Requests a minute per signed-in caller (0: no limit)"
    )
    rate_limit_burst: int = Field(default=200, ge=1, description="Requests a caller may make at once")
    rate_limit_store_url: str | None = Field(
        default=None,
        description="A Redis URL (redis://host:6379/0, rediss:// for TLS) where every gateway replica counts the "
        "limit together; unset, each gateway process counts on its own (enough on one machine)",
    )
    rate_limit_store_timeout_seconds: float = Field(
        default=0.1,
        gt=0,
        le=5,
        description="How long a check may wait for Redis before the gateway counts on its own instead",
    )
    rate_limit_store_retry_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="After Redis failed, how long the gateway counts on its own before asking again",
    )
    cors_origins: list[str] = Field(
        default=[], description="Frontend origins allowed to call the API from a browser, e.g. https://styr.region.se"
    )

    @field_validator("rate_limit_store_url")
    @classmethod
    def _a_redis_url(cls, value: str | None) -> str | None:
        # Found at start, not as a limit that silently counts per replica because Redis never answers.
        if value is not None and (not value.startswith(("redis://", "rediss://", "unix://")) or "<" in value):
            raise ValueError("rate_limit_store_url must be a redis://, rediss:// or unix:// URL without placeholders")
        return value

    @property
    def uses_development_tokens(self) -> bool:
        return self.jwks_url is None and self.jwks_file is None

    @model_validator(mode="after")
    def _production_needs_provider_keys(self) -> "GatewaySettings":
        if self.profile is Profile.production:
            if self.uses_development_tokens:
                raise ValueError("production sign-in needs jwks_url or jwks_file from the identity provider")
            if any(alg.startswith("HS") or alg == "none" for alg in self.jwt_algorithms):
                raise ValueError("production accepts only asymmetric algorithms such as RS256 or ES256")
        if "none" in (a.lower() for a in self.jwt_algorithms):
            raise ValueError("the 'none' algorithm is never accepted")
        for roles in self.role_map.values():
            parse_role_claims(roles)  # a mistyped table is found at start, not by a refused user
        return self

    def _secret_fields(self) -> list[str]:
        fields = ["internal_secret"]
        if self.uses_development_tokens:
            fields.append("jwt_secret")
        return fields

    def service_urls(self) -> dict[str, str]:
        return {"goals": self.goals_url, "budget": self.budget_url, "audit": self.audit_url}
