"""The ledger import: accounts to categories through the finance office's account plan, rows summed
exactly per unit, month and category, dry run by line, all or nothing, idempotent; and the outcomes
export that imports back changing nothing."""

import asyncio

import pytest
from typer.testing import CliRunner

from cli import imports as cli_imports
from cli.main import app as styr
from tests.budget.conftest import FINANCE, ORG, if_match, make_units
from tests.conftest import running_stack

PLAN = [("3", "revenue"), ("5", "personnel"), ("40", "purchased_care"), ("4500", "pharmaceuticals")]
ROBOT = {"client": True, "scopes": ["write:outcomes", "read:decided"]}
FILE = (
    "unit;account;month;amount\n"
    "HSN;3010;2024-03;-1 234 567,89\n"
    "HSN;3020;202403;-0,11\n"
    "HSN;5010;2024-03;2 000 000,10\n"
    "HSN;5020;2024-03;0,20\n"
    "RUN;4010;2024-04;500\n"
    "RUN;4500;2024-04;12,5\n"
)


async def account_plan(stack, rules=PLAN):
    for account, category in rules:
        response = await stack.client.post(
            "/api/budget/account-mappings",
            headers=stack.auth(*FINANCE),
            json={"account_from": account, "category": category},
        )
        assert response.status_code == 201, response.text


@pytest.fixture
async def ledger(org):
    await account_plan(org)
    return org


async def sent(stack, text, *, dry_run=False, headers=None, delimiter="auto"):
    return await stack.client.post(
        f"/api/budget/imports/ledger?dry_run={str(dry_run).lower()}&delimiter={delimiter}",
        content=text.encode(),
        headers={**(headers or stack.auth(*FINANCE)), "Content-Type": "text/csv"},
    )


async def outcomes(stack):
    response = await stack.client.get("/api/budget/outcomes?limit=500", headers=stack.auth(*FINANCE))
    return {(o["unit_code"], o["year"], o["month"], o["category"]): o for o in response.json()["items"]}


def amounts(found):
    return {key: o["amount"] for key, o in found.items()}


EXPECTED = {
    ("HSN", 2024, 3, "revenue"): "1234568.00",
    ("HSN", 2024, 3, "personnel"): "2000000.30",
    ("RUN", 2024, 4, "purchased_care"): "500.00",
    ("RUN", 2024, 4, "pharmaceuticals"): "12.50",
}


async def test_a_dry_run_changes_nothing_and_a_real_run_sums_per_unit_month_and_category(ledger):
    dry = await sent(ledger, FILE, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["read"], dry.json()["created"], dry.json()["applied"]) == (6, 4, False)
    assert await outcomes(ledger) == {}
    real = (await sent(ledger, FILE)).json()
    assert (real["created"], real["applied"]) == (4, True)
    stored = await outcomes(ledger)
    assert amounts(stored) == EXPECTED
    assert {o["source"] for o in stored.values()} == {"ledger-import"}


async def test_the_same_file_twice_changes_nothing_and_a_changed_sum_is_updated(ledger):
    await sent(ledger, FILE)
    again = (await sent(ledger, FILE)).json()
    assert (again["created"], again["updated"], again["unchanged"], again["applied"]) == (0, 0, 4, False)
    changed = FILE.replace("RUN;4010;2024-04;500", "RUN;4010;2024-04;501")
    third = (await sent(ledger, changed)).json()
    assert (third["created"], third["updated"], third["unchanged"], third["applied"]) == (0, 1, 3, True)
    stored = await outcomes(ledger)
    assert stored[("RUN", 2024, 4, "purchased_care")]["amount"] == "501.00"
    assert stored[("RUN", 2024, 4, "purchased_care")]["version"] == 2


async def test_many_small_amounts_sum_exactly(ledger):
    rows = "".join("HSN;5010;2024-01;0,10\n" for _ in range(1000))
    await sent(ledger, "unit;account;month;amount\n" + rows)
    assert amounts(await outcomes(ledger)) == {("HSN", 2024, 1, "personnel"): "100.00"}


async def test_the_longest_rule_decides_and_a_range_maps_its_accounts(ledger):
    await account_plan(ledger, [("6000", "other_costs")])
    response = await ledger.client.post(
        "/api/budget/account-mappings",
        headers=ledger.auth(*FINANCE),
        json={"account_from": "7800", "account_to": "7899", "category": "depreciation"},
    )
    assert response.status_code == 201
    text = "HSN;4010;2024-01;1\nHSN;45001;2024-01;2\nHSN;7850;2024-01;3\nHSN;7900;2024-01;4\n"
    report = (await sent(ledger, text, dry_run=True)).json()
    assert [(p["line"], p["field"]) for p in report["problems"]] == [(4, "account")]
    await sent(ledger, text.replace("HSN;7900;2024-01;4\n", ""))
    assert amounts(await outcomes(ledger)) == {
        ("HSN", 2024, 1, "purchased_care"): "1.00",
        ("HSN", 2024, 1, "pharmaceuticals"): "2.00",
        ("HSN", 2024, 1, "depreciation"): "3.00",
    }


async def test_comma_separated_with_quoted_decimal_commas_and_a_swedish_header(ledger):
    text = 'belopp,konto,enhet,period\n"-1 000,50",3010,HSN,2024-02\n"12,25",5010,HSN,202402\n'
    report = (await sent(ledger, text)).json()
    assert report["applied"] is True
    assert amounts(await outcomes(ledger)) == {
        ("HSN", 2024, 2, "revenue"): "1000.50",
        ("HSN", 2024, 2, "personnel"): "12.25",
    }


async def test_every_bad_row_is_reported_with_its_field_and_nothing_is_written(ledger):
    closed = await ledger.client.post(
        "/api/budget/closed-years", headers=ledger.auth(*FINANCE), json={"year": 2023, "closed_on": "2024-02-15"}
    )
    assert closed.status_code == 201
    text = (
        "unit;account;month;amount\n"
        "HSN;5010;2024-03;100\n"
        "NOPE;5010;2024-03;100\n"
        "HSN;9999;2024-03;100\n"
        "HSN;5010;2024-13;100\n"
        "HSN;5010;2024-03;1,234\n"
        "HSN;5010;2024-03;hundra\n"
        "HSN;5010;2023-12;100\n"
        "HSN;50x;2024-03;100\n"
        "HSN;5010\n"
        "NOPE;5010;2024-04;100\n"
        "HSN;5010;2024-03;99999999999999999999\n"
    )
    dry = (await sent(ledger, text, dry_run=True)).json()
    assert [(p["line"], p["field"]) for p in dry["problems"]] == [
        (3, "unit"),
        (4, "account"),
        (5, "month"),
        (6, "amount"),
        (7, "amount"),
        (8, "month"),
        (9, "account"),
        (10, None),
        (11, "unit"),
        (12, "amount"),
    ]
    assert "2023 is closed" in dry["problems"][5]["message"]
    refused = await sent(ledger, text)
    assert refused.status_code == 422
    assert refused.json()["code"] == "import-refused"
    assert len(refused.json()["report"]["problems"]) == 10
    assert await outcomes(ledger) == {}


async def test_unit_codes_are_checked_once_per_code(ledger):
    asked: list[str] = []
    real = ledger.transport.handle_async_request

    async def counting(request):
        if request.url.host == "goals" and request.url.path.startswith("/units/"):
            asked.append(request.url.path)
        return await real(request)

    ledger.transport.handle_async_request = counting
    rows = "".join(f"HSN;5010;2024-{m:02};1\nRUN;5010;2024-{m:02};1\n" for m in range(1, 13))
    assert (await sent(ledger, rows)).json()["created"] == 24
    assert sorted(asked) == ["/units/HSN", "/units/RUN"]


async def test_an_outcome_keyed_in_by_hand_is_left_alone_and_a_correction_makes_one_manual(ledger):
    keyed = await ledger.client.post(
        "/api/budget/outcomes",
        headers=ledger.auth(*FINANCE),
        json={"rows": [{"unit_code": "HSN", "year": 2024, "month": 3, "category": "personnel", "amount": "7"}]},
    )
    assert keyed.status_code == 201
    report = (await sent(ledger, FILE)).json()
    assert (report["created"], report["left_alone"]) == (3, 1)
    assert "keyed in by hand" in report["notes"][0]
    stored = await outcomes(ledger)
    assert stored[("HSN", 2024, 3, "personnel")]["amount"] == "7.00"
    revenue = stored[("HSN", 2024, 3, "revenue")]
    corrected = await ledger.client.patch(
        f"/api/budget/outcomes/{revenue['id']}", headers=if_match(ledger.auth(*FINANCE), revenue), json={"amount": "1"}
    )
    assert corrected.json()["source"] is None
    again = (await sent(ledger, FILE)).json()
    assert (again["left_alone"], again["unchanged"], again["updated"]) == (2, 2, 0)
    assert (await outcomes(ledger))[("HSN", 2024, 3, "revenue")]["amount"] == "1.00"


@pytest.mark.parametrize(
    ("caller", "extra", "expected"),
    [
        (("ekonom", "finance"), {}, 200),
        (("ledger-robot",), ROBOT, 200),
        (("blind-robot",), {"client": True, "scopes": ["write:outcomes"]}, 403),
        (("other-robot",), {"client": True, "scopes": ["write:measurements", "read:decided"]}, 403),
        (("hsn", "HSN:editor"), {}, 403),
        (("auditor", "auditor"), {}, 403),
    ],
)
async def test_finance_or_a_client_with_write_outcomes_may_import(ledger, caller, extra, expected):
    response = await sent(ledger, FILE, headers=ledger.auth(*caller, **extra), dry_run=True)
    assert response.status_code == expected, response.text


async def test_a_file_as_swedish_excel_saves_it_is_read_as_windows_1252_and_says_so(ledger):
    text = "enhet;konto;period;belopp\nHSN;5010;2024-03;1\nFÖ;5010;2024-03;1\n"
    response = await ledger.client.post(
        "/api/budget/imports/ledger?dry_run=true",
        content=text.encode("cp1252"),
        headers={**ledger.auth(*FINANCE), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert "read as Windows-1252" in " ".join(report["notes"])
    assert [(p["line"], p["field"], "FÖ" in p["message"]) for p in report["problems"]] == [(3, "unit", True)]
    refused = await ledger.client.post(
        "/api/budget/imports/ledger",
        content=text.encode("cp1252"),
        headers={**ledger.auth(*FINANCE), "Content-Type": "text/csv"},
    )
    assert refused.status_code == 422
    assert "read as Windows-1252" in " ".join(refused.json()["report"]["notes"])


async def test_a_file_that_is_neither_utf8_nor_windows_1252_is_422(ledger):
    response = await ledger.client.post(
        "/api/budget/imports/ledger",
        content=b"HSN;5010;2024-03;1\nH\x81N;5010;2024-03;1\n",
        headers={**ledger.auth(*FINANCE), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not-text"
    assert "0x81" in response.json()["detail"]


# --- the account plan -------------------------------------------------------------------------


async def test_account_plan_rules_may_not_overlap_at_one_length(ledger):
    headers = ledger.auth(*FINANCE)
    clash = await ledger.client.post(
        "/api/budget/account-mappings",
        headers=headers,
        json={"account_from": "4000", "account_to": "4600", "category": "other_costs"},
    )
    assert clash.status_code == 409
    bad = await ledger.client.post(
        "/api/budget/account-mappings",
        headers=headers,
        json={"account_from": "41", "account_to": "4", "category": "revenue"},
    )
    assert bad.status_code == 422
    refused = await ledger.client.post(
        "/api/budget/account-mappings",
        headers=ledger.auth("hsn", "HSN:editor"),
        json={"account_from": "6", "category": "other_costs"},
    )
    assert refused.status_code == 403


async def test_a_rule_changes_with_if_match_and_keeps_its_history(ledger):
    headers = ledger.auth(*FINANCE)
    rules = (await ledger.client.get("/api/budget/account-mappings", headers=headers)).json()["items"]
    assert [r["account_from"] for r in rules] == ["3", "40", "4500", "5"]
    rule = next(r for r in rules if r["account_from"] == "40")
    path = f"/api/budget/account-mappings/{rule['id']}"
    assert (await ledger.client.patch(path, headers=headers, json={"category": "other_costs"})).status_code == 428
    stale = {**headers, "If-Match": '"7"'}
    assert (await ledger.client.patch(path, headers=stale, json={"category": "other_costs"})).status_code == 412
    changed = await ledger.client.patch(path, headers=if_match(headers, rule), json={"account_to": "41"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["account_to"], changed.json()["version"]) == ("41", 2)
    overlapping = await ledger.client.patch(
        path, headers=if_match(headers, changed.json()), json={"account_from": "30", "account_to": "39"}
    )
    assert overlapping.status_code == 200  # a longer rule than "3" may sit inside it
    history = (await ledger.client.get(f"{path}/history", headers=headers)).json()
    assert [e["action"] for e in history["items"]] == ["create", "update", "update"]
    current = (await ledger.client.get(path, headers=headers)).json()
    deleted = await ledger.client.delete(path, headers=if_match(headers, current))
    assert deleted.status_code == 204
    assert (await ledger.client.get(path, headers=headers)).status_code == 404


# --- the outcomes export ------------------------------------------------------------------------


@pytest.mark.parametrize("table_format", ["csv", "tsv"])
async def test_the_exported_outcomes_import_back_changing_nothing(ledger, table_format):
    await sent(ledger, FILE)
    keyed = await ledger.client.post(
        "/api/budget/outcomes",
        headers=ledger.auth(*FINANCE),
        json={"rows": [{"unit_code": "RUN", "year": 2023, "month": 12, "category": "revenue", "amount": "0.05"}]},
    )
    assert keyed.status_code == 201
    before = await outcomes(ledger)
    path = f"/api/budget/exports/outcomes?format={table_format}"
    exported = await ledger.client.get(path, headers=ledger.auth(*FINANCE))
    assert exported.status_code == 200
    lines = exported.text.splitlines()
    separator = "\t" if table_format == "tsv" else ","
    assert lines[0] == separator.join(["unit", "account", "month", "amount"])
    assert separator.join(["HSN", "3", "2024-03", "-1234568"]) in lines
    back = (await sent(ledger, exported.text)).json()
    assert (back["created"], back["updated"], back["unchanged"], back["left_alone"]) == (0, 0, 4, 1)
    assert await outcomes(ledger) == before


async def test_the_export_filters_by_year_and_unit_and_shows_a_unit_only_its_own(ledger):
    await sent(ledger, FILE)
    hsn = await ledger.client.get("/api/budget/exports/outcomes?year=2024", headers=ledger.auth("hsn", "HSN:reader"))
    assert {line.split(",")[0] for line in hsn.text.splitlines()[1:]} == {"HSN"}
    run = await ledger.client.get("/api/budget/exports/outcomes?unit=RUN", headers=ledger.auth(*FINANCE))
    assert len(run.text.splitlines()) == 3
    workbook = await ledger.client.get("/api/budget/exports/outcomes?format=xlsx", headers=ledger.auth(*FINANCE))
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")


async def test_an_export_of_a_category_without_an_account_is_422(org):
    await account_plan(org, [("5", "personnel")])
    await sent(org, "HSN;5010;2024-01;10\n")
    assert (await org.client.get("/api/budget/exports/outcomes", headers=org.auth(*FINANCE))).status_code == 200
    await org.client.post(
        "/api/budget/outcomes",
        headers=org.auth(*FINANCE),
        json={"rows": [{"unit_code": "HSN", "year": 2024, "month": 1, "category": "revenue", "amount": "1"}]},
    )
    assert (await org.client.get("/api/budget/exports/outcomes", headers=org.auth(*FINANCE))).status_code == 422


# --- the command line ---------------------------------------------------------------------------


async def test_the_command_line_asks_the_goals_service_for_every_unit_in_one_call(org):
    from services.budget.settings import BudgetSettings

    settings = BudgetSettings(goals_url="http://goals", database_url=org.database_urls["budget"])
    assert await cli_imports.known_units(settings, org.transport) == {"RF", "RS", "HSN", "RUN"}


def test_styr_import_ledger_from_a_file(database_urls, snapshots, monkeypatch, tmp_path):
    async def prepare() -> None:
        await snapshots.restore("empty")
        async with running_stack(database_urls, {}) as stack:
            await make_units(stack, ORG)
            await account_plan(stack)

    async def units_from_the_stack(settings):
        async with running_stack(database_urls, {}) as stack:
            response = await stack.client.get("/api/goals/units/tree", headers=stack.auth("admin", "admin"))
            return {unit["code"] for unit in response.json()["units"]}

    async def stored() -> dict:
        async with running_stack(database_urls, {}) as stack:
            return amounts(await outcomes(stack))

    asyncio.run(prepare())
    path = tmp_path / "ledger.csv"
    path.write_text(FILE, encoding="utf-8")
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_urls["budget"])
    monkeypatch.setattr(cli_imports, "known_units", units_from_the_stack)
    dry = CliRunner().invoke(styr, ["import", "ledger", "--file", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "4 created" in dry.output
    assert asyncio.run(stored()) == {}
    result = CliRunner().invoke(styr, ["import", "ledger", "--file", str(path), "--as", "Eva"])
    assert result.exit_code == 0, result.output
    assert asyncio.run(stored()) == EXPECTED
    excel = tmp_path / "excel.csv"
    excel_text = "enhet;konto;period;belopp\nHSN;5010;2024-05;1\nHSN;5010;2024-06;1,5 kr för både\n"
    excel.write_bytes(excel_text.encode("cp1252"))
    refused = CliRunner().invoke(styr, ["import", "ledger", "--file", str(excel)])
    assert refused.exit_code == 1
    assert "note: The file is not UTF-8 and was read as Windows-1252" in refused.output
    assert "line 3 (amount)" in refused.output
    assert asyncio.run(stored()) == EXPECTED
    excel.write_bytes("enhet;konto;period;belopp\nHSN;5010;2024-05;1,50\n".encode("cp1252"))
    read = CliRunner().invoke(styr, ["import", "ledger", "--file", str(excel), "--as", "Eva"])
    assert read.exit_code == 0, read.output
    assert "1 created" in read.output
    assert asyncio.run(stored()) == {**EXPECTED, ("HSN", 2024, 5, "personnel"): "1.50"}
    undefined = tmp_path / "undefined.csv"
    undefined.write_bytes(b"HSN;5010;2024-05;1\nH\x81N;5010;2024-06;1\n")
    neither = CliRunner().invoke(styr, ["import", "ledger", "--file", str(undefined)])
    assert neither.exit_code == 1
    assert "Byte 0x81 is a character of neither UTF-8 nor Windows-1252" in neither.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1 234 567,89", "-1234567.89"),
        ("1234567.89", "1234567.89"),
        ("\u22125", "-5"),
        ("1\u00a0000,5", "1000.50"),
        ("1\u202f000,500", "1000.50"),
        ("0,10", "0.10"),
    ],
)
def test_amounts_as_the_ledger_writes_them(text, expected):
    from decimal import Decimal

    from services.budget.rules.ledger import parse_amount

    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1_000", "1,234", "", "1e30", "ett"])
def test_amounts_that_are_not_exact_money_are_refused(text):
    from services.budget.rules.ledger import parse_amount

    with pytest.raises(ValueError, match=r"amount|large|decimals"):
        parse_amount(text)
