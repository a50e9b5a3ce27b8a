"""Settings: one prefix per app; production refuses the development secret."""

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from services.goals.settings import GoalsSettings
from shared.settings import DEV_SECRET

STRONG = "x" * 48


def test_each_app_reads_its_own_prefix(monkeypatch):
    monkeypatch.setenv("GOALS_DATABASE_URL", "postgresql+asyncpg://db/goals")
    monkeypatch.setenv("BUDGET_DATABASE_URL", "postgresql+asyncpg://db/budget")
    assert GoalsSettings().database_url == "postgresql+asyncpg://db/goals"


def test_the_embedded_default_is_a_sqlite_file_per_service():
    assert GoalsSettings().database_url.endswith("data/goals.sqlite3")


def test_production_refuses_the_development_secret():
    with pytest.raises(ValidationError, match="internal_secret"):
        GoalsSettings(profile="production", database_url="postgresql+asyncpg://db/goals")
    with pytest.raises(ValidationError, match="internal_secret"):
        GoalsSettings(profile="production", database_url="postgresql+asyncpg://db/g", internal_secret="short")


def test_production_needs_a_database_url():
    with pytest.raises(ValidationError, match="database_url"):
        GoalsSettings(profile="production", internal_secret=STRONG)


def test_production_gateway_needs_provider_keys_and_asymmetric_algorithms():
    with pytest.raises(ValidationError, match="jwks"):
        GatewaySettings(profile="production", internal_secret=STRONG, jwt_secret=STRONG)
    with pytest.raises(ValidationError, match="asymmetric"):
        GatewaySettings(
            profile="production", internal_secret=STRONG, jwks_url="https://idp/keys", jwt_algorithms=["HS256"]
        )
    ok = GatewaySettings(
        profile="production", internal_secret=STRONG, jwks_url="https://idp/keys", jwt_algorithms=["RS256"]
    )
    assert ok.jwt_secret == DEV_SECRET  # unused: tokens are checked against the provider's keys


def test_none_is_never_an_accepted_algorithm():
    with pytest.raises(ValidationError, match="none"):
        GatewaySettings(jwt_algorithms=["HS256", "none"])


def test_without_a_profile_an_app_is_in_production_and_refuses_to_start_unconfigured(monkeypatch):
    monkeypatch.delenv("STYR_PROFILE", raising=False)
    with pytest.raises(ValidationError):
        GoalsSettings()
    monkeypatch.setenv("STYR_PROFILE", "development")
    assert GoalsSettings().profile == "development"


@pytest.mark.parametrize("placeholder", ["change-me-to-a-long-random-secret", "CHANGEME" * 5, "x" * 30 + "placeholder"])
def test_production_refuses_an_example_files_placeholder(placeholder):
    with pytest.raises(ValidationError, match="placeholder"):
        GoalsSettings(profile="production", database_url="postgresql+asyncpg://db/g", internal_secret=placeholder)


def test_the_command_line_runs_in_development_unless_told_otherwise(monkeypatch):
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.delenv("STYR_PROFILE", raising=False)
    result = CliRunner().invoke(app, ["token", "--sub", "x", "--role", "admin"])
    assert result.exit_code == 0, result.output
