"""`styr export-all` and `styr import-all`: the demo stack written out and read back into empty
databases answers the same (lists, chains, summaries, reports, histories, change feeds, ETags), and
an import that would be wrong is refused with a clear message, changing nothing."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app as styr
from cli.main import seed_database
from cli.registry import SERVICES
from shared.migrations import migrate
from tests.conftest import Snapshots, Stack, running_stack

EVERYTHING = ("admin", "admin", "auditor", "finance", "RS:reader")
ITEMS_PER_LIST = 3  # each list's first records are read one by one, with their history
YEAR = 2022
NEEDS_A_FILTER = {"/api/goals/indicators"}  # a goal or a strategy; read per goal below
WITH_PARAMETERS = [
    f"/api/reports/interim/{YEAR}/T1",
    f"/api/reports/interim/{YEAR}/T2",
    f"/api/reports/annual/{YEAR}",
    f"/api/goals/chain?year={YEAR}",
    f"/api/goals/fulfilment?year={YEAR}&period=T2",
    f"/api/goals/follow-ups/report-to-council?year={YEAR}&limit=500",
    f"/api/goals/exports/goals?year={YEAR}&format=csv",
    f"/api/budget/frames/total?year={YEAR}",
    f"/api/budget/economy/region?year={YEAR}&follow_up=T2",
    f"/api/budget/economy/units/HSN?year={YEAR}&follow_up=T2",
    f"/api/budget/investments/plan?from_year={YEAR}",
    f"/api/budget/grants/summary?year={YEAR}",
    f"/api/budget/exports/outcomes?year={YEAR}&format=csv",
    "/api/audit/bodies/HSN/status",
]


def in_any_order(answer: tuple[int, str | None, str]) -> tuple[int, str | None, Any]:
    """An answer whose JSON lists are sorted, for comparing across databases that break ties differently."""

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: canonical(item) for key, item in value.items()}
        if isinstance(value, list):
            return sorted((canonical(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
        return value

    status, etag, body = answer
    return status, etag, canonical(json.loads(body)) if body.startswith(("{", "[")) else body


def cli(*args: str) -> Any:
    return CliRunner().invoke(styr, list(args))


async def read(stack: Stack, path: str) -> tuple[int, str | None, str]:
    response = await stack.client.get(path, headers=stack.auth(*EVERYTHING))
    body = response.text
    if path.startswith("/api/reports/"):
        # A report says when it was put together, which is the time of asking, not data.
        report = response.json()
        assert report.pop("generated_at")
        body = json.dumps(report)
    return response.status_code, response.headers.get("ETag"), body


def _record_key(template: str, item: dict[str, Any]) -> str | None:
    """The value a record's path takes: its code or year where the path names those, else its id."""
    parameter = template.rsplit("{", 1)[1].rstrip("}")
    key = parameter if parameter in ("code", "year") else "id"
    return str(item[key]) if key in item else None


async def api_answers(stack: Stack) -> dict[str, tuple[int, str | None, str]]:
    """Every GET of the gateway's document that needs no parameters (lists with their first records one
    by one and their history), the read models and reports for the demo year: status, ETag and body."""
    document = await stack.document()
    gets = {path: ops["get"] for path, ops in document["paths"].items() if "get" in ops}
    answers = {}
    for path, operation in gets.items():
        parameters = operation.get("parameters", [])
        if not path.startswith("/api/") or any(p.get("required") for p in parameters) or path in NEEDS_A_FILTER:
            continue
        query = "?limit=500" if any(p["name"] == "limit" for p in parameters) else ""
        answers[path + query] = await read(stack, path + query)
        body = answers[path + query][2]
        if not (query and body.startswith("{")):
            continue
        one = next((p for p in gets if p.startswith(path + "/{") and p.count("/") == path.count("/") + 1), None)
        for item in json.loads(body).get("items", [])[:ITEMS_PER_LIST] if one else []:
            key = _record_key(one, item)
            if key is None:
                continue
            record = one.rsplit("/", 1)[0] + f"/{key}"
            answers[record] = await read(stack, record)
            if one + "/history" in gets:
                answers[record + "/history"] = await read(stack, record + "/history?limit=500")
    for path in WITH_PARAMETERS:
        answers[path] = await read(stack, path)
    goals = json.loads(answers["/api/goals/goals?limit=500"][2])["items"][:ITEMS_PER_LIST]
    for goal in goals:
        indicators = f"/api/goals/indicators?goal={goal['id']}&limit=500"
        answers[indicators] = await read(stack, indicators)
        for indicator in json.loads(answers[indicators][2])["items"][:ITEMS_PER_LIST]:
            for suffix in ("", "/measurements?limit=500", "/history?limit=500"):
                path = f"/api/goals/indicators/{indicator['id']}{suffix}"
                answers[path] = await read(stack, path)
    return answers


async def answers_of(database_urls: dict[str, str]) -> dict[str, tuple[int, str | None, str]]:
    async with running_stack(database_urls, {}) as stack:
        return await api_answers(stack)


@pytest.fixture
def on_test_databases(database_urls: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`styr` finds the test's databases the way it finds production's: GOALS_DATABASE_URL, …"""
    for name, url in database_urls.items():
        monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)


async def export_seeded(snapshots: Snapshots, folder: Path) -> None:
    await snapshots.restore("seeded")
    exported = await asyncio.to_thread(cli, "export-all", str(folder))
    assert exported.exit_code == 0, exported.output


async def test_an_export_read_back_into_empty_databases_answers_the_same(
    database_urls, snapshots, tmp_path, on_test_databases
):
    await snapshots.restore("seeded")
    before = await answers_of(database_urls)
    await export_seeded(snapshots, tmp_path / "backup")
    await snapshots.restore("empty")
    imported = await asyncio.to_thread(cli, "import-all", str(tmp_path / "backup"))
    assert imported.exit_code == 0, imported.output
    after = await answers_of(database_urls)

    assert len(before) > 120
    assert {status for status, _, _ in before.values()} == {200}
    assert sum(1 for path in before if "/history" in path) > 40
    assert sum(1 for path in before if "/measurements" in path) >= 3
    assert sum(1 for _, etag, _ in before.values() if etag) > 40
    assert after == before
    await a_change_after_the_import_follows_the_imported_history(database_urls)


async def a_change_after_the_import_follows_the_imported_history(database_urls: dict[str, str]) -> None:
    """History ids continue after the imported ones (the PostgreSQL sequence is moved on) and the change
    feed answers the new change after every imported one."""
    async with running_stack(database_urls, {}) as stack:
        finance = stack.auth(*EVERYTHING)
        forecast = (await stack.client.get("/api/budget/forecasts", headers=finance)).json()["items"][0]
        path = f"/api/budget/forecasts/{forecast['id']}"
        etag = (await stack.client.get(path, headers=finance)).headers["ETag"]
        editor = stack.auth("e", f"{forecast['unit_code']}:editor")
        changed = await stack.client.patch(path, headers={**editor, "If-Match": etag}, json={"amount": "1234.56"})
        assert changed.status_code == 200, changed.text
        history = (await stack.client.get(f"{path}/history", headers=finance)).json()["items"]
        assert [h["action"] for h in history][-1] == "update"
        assert history[-1]["id"] > max(h["id"] for h in history[:-1])
        feed, cursor = [], ""
        while page := (await stack.client.get(f"/api/budget/changes?limit=500{cursor}", headers=finance)).json():
            if not page["items"]:
                break
            feed += page["items"]
            cursor = f"&after={page['next']}"
        assert feed[-1]["id"] == history[-1]["id"]
        assert feed[-1]["after"]["amount"] == "1234.56"


async def test_money_and_history_are_written_exactly(database_urls, snapshots, tmp_path, on_test_databases):
    await export_seeded(snapshots, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "budget" / "manifest.json").read_text())
    assert manifest["alembic_revision"]
    assert manifest["tables"]["history_entry"]["rows"] > 0
    lines = (tmp_path / "backup" / "budget" / "forecast.jsonl").read_text().splitlines()
    assert len(lines) == manifest["tables"]["forecast"]["rows"] > 0
    forecast = json.loads(lines[0])
    assert isinstance(forecast["amount"], str)
    assert Decimal(forecast["amount"]) == Decimal(forecast["amount"]).quantize(Decimal("0.01"))
    assert forecast["version"] >= 1


async def test_import_refuses_a_database_that_is_not_empty(database_urls, snapshots, tmp_path, on_test_databases):
    await export_seeded(snapshots, tmp_path / "backup")
    refused = await asyncio.to_thread(cli, "import-all", str(tmp_path / "backup"))
    assert refused.exit_code == 2
    assert "is not empty" in refused.output
    assert "nothing was written" in refused.output


async def test_import_refuses_another_schema_revision(database_urls, snapshots, tmp_path, on_test_databases):
    await export_seeded(snapshots, tmp_path / "backup")
    manifest_path = tmp_path / "backup" / "audit" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["alembic_revision"] = "0000older"
    manifest_path.write_text(json.dumps(manifest))
    await snapshots.restore("empty")
    refused = await asyncio.to_thread(cli, "import-all", str(tmp_path / "backup"))
    assert refused.exit_code == 2
    assert "schema revision 0000older" in refused.output
    # Checked before anything is written: the goals service, first in line, is still empty.
    async with running_stack(database_urls, {}) as stack:
        units = await stack.client.get("/api/goals/units", headers=stack.auth(*EVERYTHING))
        assert units.json()["total"] == 0


async def test_import_refuses_a_damaged_file(database_urls, snapshots, tmp_path, on_test_databases):
    await export_seeded(snapshots, tmp_path / "backup")
    damaged = tmp_path / "backup" / "goals" / "goal.jsonl"
    damaged.write_text(damaged.read_text().replace("a", "b", 1))
    await snapshots.restore("empty")
    refused = await asyncio.to_thread(cli, "import-all", str(tmp_path / "backup"))
    assert refused.exit_code == 2
    assert "goal.jsonl does not match its manifest" in refused.output


async def test_export_refuses_a_folder_with_files_in_it(database_urls, snapshots, tmp_path, on_test_databases):
    (tmp_path / "old.txt").write_text("something else")
    refused = await asyncio.to_thread(cli, "export-all", str(tmp_path))
    assert refused.exit_code == 2
    assert "is not empty" in refused.output


async def test_the_embedded_sqlite_files_move_to_postgresql(database_urls, snapshots, tmp_path, backend, monkeypatch):
    """A region moving from one machine to a cluster: the SQLite files' export read into PostgreSQL."""
    if backend != "postgresql":
        pytest.skip("moves data into PostgreSQL; runs in the PostgreSQL run")
    sqlite_urls = {}
    for entry in SERVICES:
        sqlite_urls[entry.name] = f"sqlite+aiosqlite:///{tmp_path / f'{entry.name}.sqlite3'}"
        await migrate(entry.directory, sqlite_urls[entry.name])
        await seed_database(entry, sqlite_urls[entry.name])
        monkeypatch.setenv(f"{entry.name.upper()}_DATABASE_URL", sqlite_urls[entry.name])
    on_sqlite = await answers_of(sqlite_urls)
    exported = await asyncio.to_thread(cli, "export-all", str(tmp_path / "backup"))
    assert exported.exit_code == 0, exported.output

    await snapshots.restore("empty")
    for name, url in database_urls.items():
        monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)
    imported = await asyncio.to_thread(cli, "import-all", str(tmp_path / "backup"))
    assert imported.exit_code == 0, imported.output
    on_postgresql = await answers_of(database_urls)
    # The two databases order some ties differently (assignments without a deadline come first on
    # SQLite and last on PostgreSQL), so the lists of those answers are compared in any order.
    assert {p: in_any_order(a) for p, a in on_sqlite.items()} == {p: in_any_order(a) for p, a in on_postgresql.items()}
    await a_change_after_the_import_follows_the_imported_history(database_urls)


def test_an_evidence_files_bytes_are_written_as_base64_and_read_back_whole():
    from cli.backup import decoder, encode
    from services.audit.models import EvidenceBlob

    content = b"%PDF-1.7\n\x00\xff\xfe binary"
    written = encode(content)
    assert json.loads(json.dumps(written)) == written
    assert decoder(EvidenceBlob.__table__.c.content)(written) == content
