"""The demo data loads once however often it is loaded, and `styr token` makes tokens the gateway accepts."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from cli.main import app as styr
from cli.main import seed_database
from cli.registry import SERVICES
from tests.conftest import METADATA


async def _row_counts(urls):
    counts = {}
    for name, url in urls.items():
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            for table in METADATA[name].sorted_tables:
                counts[table.name] = await conn.scalar(select(func.count()).select_from(table))
        await engine.dispose()
    return counts


async def test_seeding_twice_adds_nothing_the_second_time(seeded):
    before = await _row_counts(seeded.database_urls)
    assert before["org_unit"] == 11
    assert before["recommendation"] == 10
    assert before["action"] == 14
    again = {entry.name: await seed_database(entry, seeded.database_urls[entry.name]) for entry in SERVICES}
    assert all(n == 0 for counts in again.values() for n in counts.values())
    assert await _row_counts(seeded.database_urls) == before


async def test_styr_token_makes_a_token_the_gateway_accepts(seeded):
    result = CliRunner().invoke(styr, ["token", "--sub", "anna", "--role", "HSN:editor", "--name", "Anna"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    response = await seeded.client.get("/api/goals/units/HSN", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_styr_token_refuses_an_unknown_role():
    result = CliRunner().invoke(styr, ["token", "--sub", "anna", "--role", "HSN:boss"])
    assert result.exit_code != 0
    assert "unknown role" in result.output


def test_styr_token_refuses_when_the_gateway_uses_an_identity_provider(monkeypatch, tmp_path):
    monkeypatch.setenv("GATEWAY_JWKS_FILE", str(tmp_path / "jwks.json"))
    monkeypatch.setenv("GATEWAY_JWT_ALGORITHMS", '["RS256"]')
    result = CliRunner().invoke(styr, ["token", "--sub", "anna", "--role", "admin"])
    assert result.exit_code != 0
    assert "identity provider" in result.output
