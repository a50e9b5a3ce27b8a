"""A Python client generated from the combined OpenAPI document (openapi-python-client) works, and reads well.

The document is fetched through the gateway, the client generated into a temporary folder and
imported; with a development token it creates a goal with an indicator, records a measurement and
reads the chain and fetches a report, calling the generated functions over an httpx client routed
to the in-process gateway.
"""

import asyncio
import importlib
import json
import sys

import httpx
import openapi_python_client
import pytest
from openapi_python_client.config import Config, ConfigFile, MetaType

from tests.conftest import running_stack

PACKAGE = "styr_client"


@pytest.fixture(scope="module")
def generated(database_urls, snapshots, tmp_path_factory):
    """The client package generated from GET /openapi.json, imported; once for the module, as the document
    is the code's and the same for every test (generating it takes seconds)."""

    async def document() -> dict:
        await snapshots.restore("empty")
        async with running_stack(database_urls, {}) as stack:
            return await stack.document()

    folder = tmp_path_factory.mktemp("generated")
    source = folder / "openapi.json"
    source.write_text(json.dumps(asyncio.run(document())), encoding="utf-8")
    config = Config.from_sources(
        ConfigFile(post_hooks=[], package_name_override=PACKAGE),  # no ruff run over the generated code
        MetaType.NONE,
        source,
        "utf-8",
        overwrite=True,
        output_path=folder / PACKAGE,
    )
    errors = openapi_python_client.generate(config=config)
    # The one warning allowed: the imports' text bodies, which the generator skips for their octet-stream twin.
    unexpected = [f"{e.header}: {e.detail}" for e in errors if "Unsupported content type text/" not in (e.detail or "")]
    assert unexpected == []
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), folder / PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _client(module, stack, *roles):
    """The generated client over the test stack's ASGI transport, signed in with a development token."""
    client = module.AuthenticatedClient(base_url="http://gateway", token=stack.token(*roles))
    transport = stack.client._transport  # the in-process gateway
    client.set_async_httpx_client(
        httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers={"Authorization": f"Bearer {stack.token(*roles)}"}
        )
    )
    return client


async def test_the_generated_client_creates_a_goal_measures_it_and_reads_the_chain(stack, generated):
    module, _ = generated
    from styr_client.api.goals import create_goal
    from styr_client.api.indicators import create_indicator, create_measurement
    from styr_client.api.org_units import create_unit
    from styr_client.api.read_models import get_chain, get_fulfilment_summary
    from styr_client.api.reports import get_annual_report
    from styr_client.models import (
        Chain,
        FulfilmentSummary,
        GoalCreate,
        GoalRead,
        IndicatorCreate,
        MeasurementIn,
        Report,
        ReportingPeriod,
        UnitCreate,
    )

    admin = _client(module, stack, "admin", "admin")
    for code, parent, kind in (("RF", None, "council"), ("HSN", "RF", "committee")):
        unit = UnitCreate.from_dict({"code": code, "name": code, "kind": kind, "parent_code": parent})
        made = await create_unit.asyncio_detailed(client=admin, body=unit)
        assert made.status_code == 201, made.content
    editor = _client(module, stack, "anna", "HSN:editor")
    goal_in = GoalCreate.from_dict({"unit_code": "HSN", "title": "Vård i tid", "start_year": 2024, "end_year": 2026})
    goal = await create_goal.asyncio(client=editor, body=goal_in)
    assert isinstance(goal, GoalRead)
    indicator_in = {
        "goal_id": str(goal.id),
        "name": "Besök i tid",
        "unit_of_measure": "%",
        "direction": "higher_is_better",
    }
    indicator = await create_indicator.asyncio(client=editor, body=IndicatorCreate.from_dict(indicator_in))
    measured = await create_measurement.asyncio_detailed(
        indicator.id, client=editor, body=MeasurementIn.from_dict({"period": "2024", "value": "71.5"})
    )
    assert measured.status_code == 201, measured.content
    chain = await get_chain.asyncio(client=editor, year=2024)
    assert isinstance(chain, Chain)
    text = json.dumps(chain.to_dict(), ensure_ascii=False)
    assert "Vård i tid" in text
    assert "71.5" in text
    summary = await get_fulfilment_summary.asyncio(client=editor, year=2024, period=ReportingPeriod.YEAR)
    assert isinstance(summary, FulfilmentSummary)
    report = await get_annual_report.asyncio(2024, client=editor, unit="HSN")
    assert isinstance(report, Report)
    assert report.year == 2024
    assert "Vård i tid" in json.dumps(report.to_dict(), ensure_ascii=False)


async def test_the_generated_client_sends_a_ledger_file(stack, generated):
    module, _ = generated
    from styr_client.api.account_plan import create_account_mapping
    from styr_client.api.imports import import_ledger
    from styr_client.models import AccountMappingCreate, LedgerImportReport
    from styr_client.types import File

    admin = _client(module, stack, "admin", "admin")
    from styr_client.api.org_units import create_unit
    from styr_client.models import UnitCreate

    for code, parent, kind in (("RF", None, "council"), ("HSN", "RF", "committee")):
        unit = UnitCreate.from_dict({"code": code, "name": code, "kind": kind, "parent_code": parent})
        assert (await create_unit.asyncio_detailed(client=admin, body=unit)).status_code == 201
    finance = _client(module, stack, "ekonom", "finance")
    rule = AccountMappingCreate.from_dict({"account_from": "5", "category": "personnel"})
    assert (await create_account_mapping.asyncio_detailed(client=finance, body=rule)).status_code == 201
    ledger = b"unit;account;month;amount\nHSN;5010;2024-03;1 000,50\nHSN;5020;2024-03;0,50\n"
    # Bytes, not a file object: httpx's async client cannot send a sync stream (the generated code passes it on as is).
    report = await import_ledger.asyncio(client=finance, body=File(payload=ledger, file_name="ledger.csv"))
    assert isinstance(report, LedgerImportReport)
    assert (report.created, report.applied, report.rows_kept) == (1, True, 2)


async def test_generated_names_read_well(generated):
    _, folder = generated
    functions = {path.stem for path in (folder / "api").rglob("*.py")} - {"__init__"}
    assert {"create_goal", "create_indicator", "create_measurement", "get_chain", "import_ledger"} <= functions
    assert not [name for name in functions if name.endswith(("_get", "_post", "_patch", "_put", "_delete"))]
    models = {path.stem for path in (folder / "models").glob("*.py")}
    assert {"goal_read", "goal_create", "indicator_read"} <= models
    assert not [name for name in models if "_api_" in name or name.endswith(("_post", "_get", "_patch", "_put"))]


async def test_the_generated_client_sends_its_defaults_and_parses_every_refusal_as_a_problem(stack, generated):
    module, _ = generated
    from styr_client.api.goals import create_goal, update_goal
    from styr_client.api.indicators import create_indicator
    from styr_client.api.operating_frames import create_frame
    from styr_client.api.org_units import create_unit
    from styr_client.models import FrameCreate, FrameRead, GoalCreate, GoalUpdate, IndicatorCreate, Problem, UnitCreate

    admin = _client(module, stack, "admin", "admin")
    for code, parent, kind in (("RF", None, "council"), ("HSN", "RF", "committee")):
        unit = UnitCreate.from_dict({"code": code, "name": code, "kind": kind, "parent_code": parent})
        assert (await create_unit.asyncio_detailed(client=admin, body=unit)).status_code == 201
    # The frame's parts left to the client's defaults (index_uplift and the others): the server takes them.
    finance = _client(module, stack, "ekonom", "finance")
    frame = await create_frame.asyncio_detailed(
        client=finance, body=FrameCreate(unit_code="HSN", year=2025, last_year_frame="250000.00")
    )
    assert frame.status_code == 201, frame.content
    assert isinstance(frame.parsed, FrameRead)
    assert (frame.parsed.amount, frame.parsed.index_uplift) == ("250000.00", "0.00")
    editor = _client(module, stack, "anna", "HSN:editor")
    goal_in = GoalCreate(unit_code="HSN", title="Vård i tid", start_year=2024)
    goal = await create_goal.asyncio(client=editor, body=goal_in)
    # An indicator without a tolerance: the default the document gives is one the server accepts.
    indicator = await create_indicator.asyncio_detailed(
        client=editor,
        body=IndicatorCreate.from_dict(
            {"goal_id": str(goal.id), "name": "Besök", "unit_of_measure": "%", "direction": "higher_is_better"}
        ),
    )
    assert indicator.status_code == 201, indicator.content
    assert indicator.parsed.tolerance == "0"
    stale = await update_goal.asyncio_detailed(
        goal.id, client=editor, body=GoalUpdate(title="Vård i rätt tid"), if_match=f'"{goal.version + 1}"'
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, Problem)
    assert stale.parsed.code == "precondition-failed"
    invalid = await update_goal.asyncio_detailed(
        goal.id, client=editor, body=GoalUpdate(title=""), if_match=f'"{goal.version}"'
    )
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, Problem)
    assert invalid.parsed.errors
    assert invalid.parsed.errors[0].loc[-1] == "title"
