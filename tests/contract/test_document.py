"""The combined document says what the server does, in the words generators read; conditional reads work."""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import Draft202012Validator

from shared.errors import PROBLEM_MEDIA_TYPE
from shared.openapi import operations

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SIGNED_IN = ("anna", "HSN:editor")
BOARD = ("bo", "RS:reader")
# Each part of a report or trace the gateway passes on from a service, and the service's schema it is.
PASSED_ON = {
    ("GoalsSection", "fulfilment"): ["FulfilmentSummary"],
    ("GoalsSection", "quality"): ["QualityReport"],
    ("GoalsSection", "report_to_council"): ["ReportToCouncil"],
    ("GoalsSection", "chain"): ["Chain"],
    ("GoalsSection", "assignments"): ["AssignmentRead"],
    ("EconomySection", "economy"): ["RegionEconomyRead", "UnitEconomyRead"],
    ("EconomySection", "accounts"): ["YearAccounts"],
    ("EconomySection", "investments"): ["InvestmentPlanRead"],
    ("EconomySection", "grants"): ["GrantSummary"],
    ("AuditSection", "overview"): ["Overview", "BodyStatus"],
    ("TracedResponse", "decision"): ["DecisionRead"],
    ("TracedRecommendation", "report"): ["AuditReportBrief"],
    ("RecommendationTrace", "verdicts"): ["VerdictRead"],
    ("TracedRisk", "plan_decision"): ["DecisionRead"],
    ("RiskTrace", "controls"): ["ControlRead"],
}


async def _document(stack: Any) -> dict[str, Any]:
    document: dict[str, Any] = await stack.document()
    return document


async def test_every_error_is_a_problem_in_the_media_type_the_server_sends(stack):
    doc = await _document(stack)
    wrong = [
        f"{method} {path} {status}"
        for path, method, operation in operations(doc)
        for status, response in operation["responses"].items()
        if int(status) >= 400 and response.get("content") != {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
    ]
    assert wrong == []
    assert "HTTPValidationError" not in doc["components"]["schemas"]


async def test_each_operation_lists_the_errors_it_can_give(stack):
    doc = await _document(stack)
    for path, method, operation in operations(doc):
        statuses = set(operation["responses"])
        if not path.startswith("/api/"):
            continue
        assert {"401", "403", "422", "429", "503"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert "413" in statuses, (method, path)
        if_match = [p for p in operation.get("parameters", []) if p["name"] == "If-Match"]
        if "428" in statuses:
            # A write without If-Match answers 428, so the header is required, and a stale one 412.
            assert [p["required"] for p in if_match] == [True], (method, path)
            assert "412" in statuses, (method, path)
    update_goal = doc["paths"]["/api/goals/goals/{goal_id}"]["patch"]["responses"]
    assert {"404", "409", "412", "413", "428"} <= set(update_goal)
    assert "ETag" in update_goal["200"]["headers"]


async def test_reads_of_a_record_declare_its_etag_and_the_304(stack):
    doc = await _document(stack)
    read = doc["paths"]["/api/goals/goals/{goal_id}"]["get"]
    assert "ETag" in read["responses"]["200"]["headers"]
    assert "304" in read["responses"]
    assert "If-None-Match" in [p["name"] for p in read["parameters"]]


async def test_reports_declare_the_headers_that_say_whether_they_are_whole(stack):
    doc = await _document(stack)
    answer = doc["paths"]["/api/reports/annual/{year}"]["get"]["responses"]["200"]
    assert {"X-Report-Complete", "X-Report-Missing", "Content-Disposition"} <= set(answer["headers"])


async def test_money_and_measured_values_are_decimal_strings_with_string_defaults(stack):
    doc = await _document(stack)
    schemas = doc["components"]["schemas"]
    uplift = schemas["FrameCreate"]["properties"]["index_uplift"]
    assert (uplift["type"], uplift["default"]) == ("string", "0")
    assert uplift["pattern"].startswith("^-?[0-9]")
    assert all(isinstance(example, str) for example in uplift["examples"])
    tolerance = schemas["IndicatorCreate"]["properties"]["tolerance"]
    assert tolerance["type"] == "string"
    assert isinstance(tolerance["default"], str)
    text = json.dumps(doc)
    for keyword in ("decimal_places", "max_digits", '"ge"', '"le"', '"gt"'):
        assert keyword not in text


async def test_the_document_reads_well_to_a_generator(stack):
    doc = await _document(stack)
    schemas = doc["components"]["schemas"]
    assert "GoalPage" in schemas
    assert not [name for name in schemas if name.startswith("Page_")]
    assert doc["servers"][0]["url"] == "/"
    assert [t["name"] for t in doc["tags"] if not t.get("description")] == []
    undescribed = [
        f"{method} {path} {status}"
        for path, method, operation in operations(doc)
        for status, response in operation["responses"].items()
        if status.startswith("2") and response["description"] in ("", "Successful Response")
    ]
    assert undescribed == []
    unexplained = [o["operationId"] for _, _, o in operations(doc) if not (o.get("summary") and o.get("description"))]
    assert unexplained == []
    # Swagger UI and Redoc do not show x-access: the rule is in the description too.
    update_goal = doc["paths"]["/api/goals/goals/{goal_id}"]["patch"]
    assert update_goal["x-access"] in update_goal["description"]
    # A risk is scored on the region's scale (AUDIT_RISK_SCALE_MAX, 4 in the tests), not 1–100.
    likelihood = schemas["RiskIn"]["properties"]["likelihood"]
    assert (likelihood["minimum"], likelihood["maximum"]) == (1, 4)
    ids = {operation["operationId"] for _, _, operation in operations(doc)}
    assert "store_report_completion" not in ids  # the gateway's own call to the goals service
    assert "update_goal" in ids


async def test_a_read_with_the_current_etag_answers_304_without_a_body(seeded):
    stack = seeded
    headers = stack.auth(*SIGNED_IN)
    first = await stack.client.get("/api/goals/units/HSN", headers=headers)
    assert first.status_code == 200
    etag = first.headers["ETag"]

    again = await stack.client.get("/api/goals/units/HSN", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    weak = await stack.client.get("/api/goals/units/HSN", headers={**headers, "If-None-Match": f'"0", W/{etag}'})
    assert weak.status_code == 304

    stale = await stack.client.get("/api/goals/units/HSN", headers={**headers, "If-None-Match": '"0"'})
    assert stale.status_code == 200
    assert stale.json()["code"] == "HSN"


async def test_if_none_match_changes_no_write_and_no_answer_without_an_etag(seeded):
    stack = seeded
    headers = {**stack.auth(*SIGNED_IN), "If-None-Match": "*"}
    listed = await stack.client.get("/api/goals/units", headers=headers)
    assert listed.status_code == 200  # a list without an ETag is answered in full
    assert listed.json()["total"] > 0
    admin = {**stack.auth("admin", "admin"), "If-None-Match": "*"}
    refused = await stack.client.patch("/api/goals/units/HSN", json={"name": "x"}, headers=admin)
    assert refused.status_code == 428  # a write still needs If-Match, whatever If-None-Match says


def _named(schema: dict[str, Any]) -> list[str]:
    """The schema names a property refers to, itself, as its items, or as the alternatives it may be."""
    text = json.dumps(schema)
    return [name for name in PASSED_ON_NAMES if f'"#/components/schemas/{name}"' in text]


PASSED_ON_NAMES = sorted({name for names in PASSED_ON.values() for name in names})


def _conforms(doc: dict[str, Any], schema_name: str, body: Any) -> list[str]:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]})
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(body)]


async def test_report_sections_are_typed_by_the_services_own_schemas(stack):
    doc = await _document(stack)
    schemas = doc["components"]["schemas"]
    typed = {(owner, field): sorted(_named(schemas[owner]["properties"][field])) for owner, field in PASSED_ON}
    assert typed == {key: sorted(names) for key, names in PASSED_ON.items()}
    # No part of a report is an untyped object: a generator would make up a name for it (`…_type_0`).
    report_schemas = ["Report", "GoalsSection", "EconomySection", "AuditSection", "RecommendationTrace", "RiskTrace"]
    untyped = [
        f"{name}.{field}"
        for name in [*report_schemas, "TracedResponse", "TracedRecommendation", "TracedRisk"]
        for field, schema in schemas[name]["properties"].items()
        if '"additionalProperties": true' in json.dumps(schema)
    ]
    assert untyped == []
    assert "x-answer-of" not in json.dumps(doc)


async def test_reports_and_traces_as_served_match_their_typed_schemas(seeded):
    doc = await _document(seeded)
    board = seeded.auth(*BOARD)
    reports = ["/api/reports/annual/2022", "/api/reports/interim/2022/T1", "/api/reports/interim/2022/T2?unit=HSN"]
    for path in reports:
        answer = await seeded.client.get(path, headers=board)
        assert answer.status_code == 200, answer.text
        assert _conforms(doc, "Report", answer.json()) == [], path
    editor = seeded.auth("e", "HSN:editor")
    plans = (await seeded.client.get("/api/audit/internal-control/plans?body=HSN", headers=editor)).json()["items"]
    plan = (await seeded.client.get(f"/api/audit/internal-control/plans/{plans[0]['id']}", headers=editor)).json()
    controlled = next(r for r in plan["risks"] if r.get("controls"))
    risk = (await seeded.client.get(f"/api/reports/trace/risks/{controlled['id']}", headers=board)).json()
    assert risk["risk"]["plan_decision"] is not None
    assert _conforms(doc, "RiskTrace", risk) == []
    listed = (await seeded.client.get("/api/audit/recommendations?limit=500", headers=board)).json()["items"]
    traces = [
        (await seeded.client.get(f"/api/reports/trace/recommendations/{r['id']}", headers=board)).json() for r in listed
    ]
    assert [_conforms(doc, "RecommendationTrace", trace) for trace in traces] == [[]] * len(listed)
    # The demo has decided responses and verdicts, so the typed parts were there to check.
    assert any(t["response"] and t["response"]["decision"] for t in traces)
    assert any(t["verdicts"] for t in traces)


async def test_a_bounded_day_says_its_years_and_the_server_refuses_the_others(stack):
    doc = await _document(stack)
    schemas = doc["components"]["schemas"]
    for schema, field in [("DialogueCreate", "held_on"), ("DecisionIn", "decided_on"), ("ReportCreate", "received_on")]:
        pattern = _pattern_of(schemas[schema]["properties"][field])
        assert [bool(pattern.match(d)) for d in ("1990-01-01", "2100-12-31", "1989-12-31", "2101-01-01")] == [
            True,
            True,
            False,
            False,
        ], (schema, field)
    body = {"unit_code": "HSN", "year": 2024, "held_on": "1989-12-31", "participants": "RS, HSN", "agreed": "x"}
    refused = await stack.client.post("/api/budget/dialogues", json=body, headers=stack.auth("admin", "admin"))
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["errors"]] == [["body", "held_on"]]


def _links(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    answers = doc["paths"][path][method]["responses"]
    return {name: link for answer in answers.values() for name, link in answer.get("links", {}).items()}


async def test_links_lead_from_creating_a_record_to_reading_and_changing_it(stack):
    doc = await _document(stack)
    created = _links(doc, "/api/goals/goals", "post")
    assert created["get_goal"]["parameters"] == {"goal_id": "$response.body#/id"}
    assert created["update_goal"]["parameters"] == {
        "goal_id": "$response.body#/id",
        "header.If-Match": "$response.header.ETag",
    }
    # A record created under another, read at its own path.
    recommendation = _links(doc, "/api/audit/reports/{report_id}/recommendations", "post")
    assert recommendation["get_recommendation"]["parameters"] == {"recommendation_id": "$response.body#/id"}
    # Adding a risk answers its plan, whose id names no risk: no link.
    assert "get_risk" not in _links(doc, "/api/audit/internal-control/plans/{plan_id}/risks", "post")
    read = _links(doc, "/api/goals/goals/{goal_id}", "get")
    assert read["update_goal"]["parameters"] == {
        "goal_id": "$request.path.goal_id",
        "header.If-Match": "$response.header.ETag",
    }
    assert _links(doc, "/api/goals/goals/{goal_id}", "patch")["get_goal"]["parameters"] == {
        "goal_id": "$request.path.goal_id"
    }
    by_id = {operation["operationId"]: operation for _, _, operation in operations(doc)}
    for path, method, _ in operations(doc):
        for name, link in _links(doc, path, method).items():
            target = by_id[link["operationId"]]
            named = {p["name"] for p in target.get("parameters", [])}
            assert {p.split(".")[-1] for p in link["parameters"]} <= named, (path, method, name)


async def test_operations_only_the_gateway_may_call_are_left_out(stack):
    doc = await _document(stack)
    ids = {operation["operationId"] for _, _, operation in operations(doc)}
    internal = [
        operation["operationId"]
        for service in ("goals", "budget", "audit")
        for _, _, operation in operations(stack.apps[service].openapi())
        if [g["grant"] for g in operation.get("x-access-rule", {}).get("any_of", [])] == ["gateway"]
    ]
    assert internal  # the goals service's `store_report_completion`, at least
    assert ids & set(internal) == set()
    assert "get_org_tree" in ids  # which the gateway calls too, but so may anyone with a role
    assert doc["servers"] == [{"url": "/", "description": doc["servers"][0]["description"]}]


def _pattern_of(schema: dict[str, Any]) -> re.Pattern[str]:
    return re.compile(next(s for s in [schema, *schema.get("anyOf", [])] if "pattern" in s)["pattern"])


async def test_a_decimal_bounded_below_or_by_the_input_limit_says_so_in_its_pattern(stack):
    doc = await _document(stack)
    schemas = doc["components"]["schemas"]
    cases = {
        ("IndicatorCreate", "tolerance"): {"0": True, "0.5": True, "-1": False},
        ("NeedAmountIn", "amount"): {"0": True, "999999999999.99": True, "-1": False, "1000000000000": False},
        ("FrameCreate", "last_year_frame"): {"-5.5": True, "1000000000000": False},
        ("BalanceAdjustmentCreate", "amount"): {"0.01": True, "12": True, "0": False, "0.00": False, "-3": False},
    }
    for (schema, field), spellings in cases.items():
        pattern = _pattern_of(schemas[schema]["properties"][field])
        assert {s: bool(pattern.match(s)) for s in spellings} == spellings, (schema, field)
    # As answered, sums may pass the input limit.
    assert _pattern_of(schemas["FrameRead"]["properties"]["amount"]).match("12345678901234.00")
    # The server refuses what the patterns refuse, each as a field error.
    need = {
        "unit_code": "HSN",
        "year": 2026,
        "title": "Behov",
        "justification": "Skäl",
        "priority": 1,
        "amounts": [
            {"year": 2026, "amount": "-1"},
            {"year": 2027, "amount": "1000000000000"},
            {"year": 2028, "amount": "1"},
        ],
    }
    refused = await stack.client.post("/api/budget/needs", json=need, headers=stack.auth("admin", "admin"))
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["errors"]] == [
        ["body", "amounts", 0, "amount"],
        ["body", "amounts", 1, "amount"],
    ]


async def test_a_decimal_bounded_on_both_sides_says_so_in_its_pattern_as_the_server_does(stack):
    """A percent, a share, a tax rate and a growth rate: what the pattern takes, the server takes, and the
    server refuses what the pattern refuses."""
    doc = await _document(stack)
    schemas = doc["components"]["schemas"]
    cases = {
        ("ScenarioYearIn", "lpik_percent"): {"-100": True, "99.5": True, "100.0": True, "100.5": False, "-101": False},
        ("ScenarioYearIn", "tax_base_growth_percent"): {"-50": True, "4.2": True, "50.01": False, "60": False},
        ("ScenarioCreate", "tax_rate"): {"11.35": True, "0.01": True, "100": True, "0": False, "0.00": False},
        ("ScenarioCreate", "result_target_percent"): {"0": True, "2": True, "100": True, "-1": False, "100.1": False},
    }
    for (schema, field), spellings in cases.items():
        pattern = _pattern_of(schemas[schema]["properties"][field])
        assert {s: bool(pattern.match(s)) for s in spellings} == spellings, (schema, field)

    from pydantic import TypeAdapter, ValidationError

    from services.budget.schemas import Growth, Percent, Share, TaxRate

    for kind, (schema, field) in zip((Percent, Growth, TaxRate, Share), cases, strict=True):
        for spelling, taken in cases[(schema, field)].items():
            try:
                TypeAdapter(kind).validate_python(spelling)
                accepted = True
            except ValidationError:
                accepted = False
            assert accepted == taken, (field, spelling)


async def test_a_report_edition_says_which_periods_go_with_which_kind_as_the_server_does(seeded):
    doc = await _document(seeded)
    body = doc["components"]["schemas"]["ReportEditionCreate"]
    validator = Draft202012Validator({**body, "components": doc["components"]})
    headers = seeded.auth("hanna", "HSN:editor")
    pairs = [("interim", "T1"), ("interim", "T2"), ("annual", "year"), ("interim", "year"), ("annual", "T2")]
    for kind, period in pairs:
        sent = {"kind": kind, "year": 2022, "period": period, "unit_code": "HSN"}
        documented = validator.is_valid(sent)
        assert documented == ((kind == "annual") == (period == "year")), sent
        answer = await seeded.client.post("/api/goals/report-editions", headers=headers, json=sent)
        assert answer.status_code == (201 if documented else 422), (sent, answer.text)


# A class escape whose meaning differs between the document's regex dialect (ECMA-262) and the server's (pydantic's
# Rust regex): \s and \S (U+0085, U+FEFF), \d (any Unicode digit to the server), \w, \b. Not after an escaped "\".
_AMBIGUOUS_CLASS = re.compile(r"(?<!\\)(?:\\\\)*\\[sSdDwWbB]")


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


async def test_every_pattern_reads_the_same_to_the_document_and_the_server(stack):
    doc = await _document(stack)
    patterns = set(_patterns(doc))
    assert len(patterns) > 20
    assert sorted(p for p in patterns if _AMBIGUOUS_CLASS.search(p)) == []
    # Found by make fuzz: "\x85" is no white space to the document, but was to the server, which refused the
    # address; "\ufeff" is white space to the document, but the server took a title of it alone.
    admin = stack.auth("a", "admin")
    for email in ("a\x85b@example.se", "a\ufeff@example.se"):
        answer = await stack.client.put("/api/me/reminders", headers=admin, json={"enabled": True, "email": email})
        assert answer.status_code == 422, email
        assert [e["loc"] for e in answer.json()["errors"]] == [["body", "email"]]
    plain = await stack.client.put(
        "/api/me/reminders", headers=admin, json={"enabled": True, "email": "anna@example.se"}
    )
    assert plain.status_code in (200, 428), plain.text
    for title in ("\ufeff", " \x85 "):
        body = {"code": "X1", "name": title}
        answer = await stack.client.post("/api/goals/perspectives", headers=admin, json=body)
        assert answer.status_code == 422, repr(title)
        assert ["body", "name"] in [e["loc"] for e in answer.json()["errors"]], repr(title)
    # \d: Arabic-Indic digits are no Kolada area to the document, and no longer to the server.
    answer = await stack.client.get("/api/goals/indicators?kolada_kpi=N%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5", headers=admin)
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["errors"]] == [["query", "kolada_kpi"]]
