"""Every operation of the combined OpenAPI document, called by thirteen callers, through a gateway in
production sign-in (RS256 tokens checked against a JWKS this test provides).

Five callers are not signed in (no token, expired, another audience, `alg: none`, HS256 made with the
public key): each must get 401. For the seven signed-in ones the expected answer is computed from the
operation's published `x-access-rule`, evaluated against the caller's roles and the target record's
unit and state, never from a table of statuses: refused is 403 naming what is `required`, hidden is
404 (a draft the caller may not read), allowed is anything else.

The targets are real records of the demo data on HSN (a committee), plus a draft goal, a draft plan
and a report edition made here. Writes on existing records carry a stale If-Match, so that an
allowed caller gets 412 (or a domain 409/422/423) and nothing changes for the next caller; creates
get a minimal valid body generated from the request schema, because FastAPI validates bodies before
the route runs and an invalid one would hide a missing check behind 422.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.access import BOARD, COUNCIL, GrantKind, Outcome, Rule, State
from shared.auth.policy import OrgNode, Principal, PrincipalKind, UnitKind, parse_role_claims, with_roles_expanded
from tests.gateway.identity_provider import (
    AUDIENCE,
    ISSUER,
    hs256_signed_with_public_key,
    public_jwk,
    signed_token,
    unsigned_token,
)

WRITE_METHODS = {"post", "put", "patch", "delete"}
UNIT = "HSN"  # the committee whose records are the targets
OTHER_EDITOR = "RUN:editor"
STALE = '"stale-etag"'
PREFIXES = {"goals", "budget", "audit", "reports", "me"}
INTEGRATION_SCOPES = ("read:decided", "write:measurements")
UNDER_WAY = {"planned", "in_progress"}
SETUP_ROLES = ("RF:registrar", "RS:registrar", f"{UNIT}:registrar", "admin", "finance")
VERDICT = "partly_addressed"
# Where generation cannot know: a query that is required only in words ("name a goal or a strategy").
QUERIES = {"list_indicators": {"goal": "goal_id"}}
# A record that exists but has no such part in the target's state: an open edition has no snapshot
# yet, so a caller who may read the edition gets the domain's 404 there.
ABSENT_WHILE = {"get_report_snapshot": State.draft}
OWNER_FIELDS = {"unit_code", "body_code", "coordinator_unit", "owner_unit", "issuer_code", "assignee_code", "goal_id"}


@pytest.fixture(scope="module")
def signing_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def gateway_overrides(tmp_path, signing_key) -> dict[str, Any]:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public_jwk(signing_key, "matrix-1", "RS256")]}))
    return {
        "jwks_file": str(jwks),
        "jwt_algorithms": ["RS256"],
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "jwks_min_refresh_seconds": 3600,
    }


# --- the callers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    name: str
    token: str | None
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    signed_in: bool = True

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def _callers(key: Any) -> list[Caller]:
    now = int(time.time())
    bare = {"sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "roles": ["admin"]}

    def person(roles: tuple[str, ...]) -> Caller:
        return Caller(" ".join(roles), signed_token(key, "RS256", "matrix-1", sub=roles[0], roles=list(roles)), roles)

    client = signed_token(
        key, "RS256", "matrix-1", sub="integration", roles=None, client=True, scope=" ".join(INTEGRATION_SCOPES)
    )
    return [
        Caller("no token", None, signed_in=False),
        Caller("expired", signed_token(key, "RS256", "matrix-1", exp=now - 3600, roles=["admin"]), signed_in=False),
        Caller("another audience", signed_token(key, "RS256", "matrix-1", aud="api://other"), signed_in=False),
        Caller("alg none", unsigned_token(bare), signed_in=False),
        Caller("HS256 with the public key", hs256_signed_with_public_key(key, "matrix-1", bare), signed_in=False),
        person((OTHER_EDITOR,)),
        person((f"{UNIT}:reader",)),
        person((f"{UNIT}:registrar",)),
        # A member of the council: reads what is reported to it, writes nothing.
        person(("RF:reader",)),
        person(("auditor",)),
        person(("finance",)),
        person(("admin",)),
        Caller("integration " + " ".join(INTEGRATION_SCOPES), client, scopes=INTEGRATION_SCOPES),
    ]


def _principal(caller: Caller, tree: Mapping[str, OrgNode]) -> Principal:
    """The caller as the policy sees them: roles expanded down the org tree, as the gateway does."""
    if caller.scopes:
        return Principal(caller.name, caller.name, kind=PrincipalKind.client, scopes=frozenset(caller.scopes))
    direct, region = parse_role_claims(caller.roles)
    return with_roles_expanded(Principal(caller.name, caller.name, unit_roles=direct, region_roles=region), tree)


# --- the targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A record an operation's path parameters name, with the unit and state its rule depends on."""

    label: str
    values: dict[str, str]
    unit: str = UNIT
    state: State | None = None
    units: dict[str, str] = field(default_factory=dict)  # units its rules name otherwise ("the assignee")


class Finder:
    """Reads the demo data as a caller who may read everything, and makes the few records it lacks."""

    def __init__(self, client: httpx.AsyncClient, key: Any, roles: tuple[str, ...] = SETUP_ROLES) -> None:
        self.client = client
        self.key = key
        token = signed_token(key, "RS256", "matrix-1", sub="setup", roles=list(roles))
        self.headers = {"Authorization": f"Bearer {token}"}

    def as_auditor(self) -> Finder:
        """The auditors write verdicts, and a caller who is an auditor writes nothing of the bodies'."""
        return Finder(self.client, self.key, ("auditor",))

    async def get(self, path: str) -> Any:
        response = await self.client.get(path, headers=self.headers)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    async def items(self, path: str) -> list[dict[str, Any]]:
        found = await self.get(path)
        return list(found["items"] if isinstance(found, dict) else found)

    async def upload(self, path: str, name: str, content: bytes) -> dict[str, Any]:
        response = await self.client.post(path, headers=self.headers, files={"file": (name, content)})
        assert response.status_code == 201, (path, response.text)
        return dict(response.json())

    async def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, headers=self.headers, json=body)
        assert response.status_code == 201, (path, response.text)
        return dict(response.json())


def _state(status: str) -> State:
    return State.draft if status in {"draft", "proposal", "open"} else State.decided


async def _goal_targets(f: Finder) -> list[Target]:
    decided = (await f.items(f"/api/goals/goals?unit={UNIT}&status=decided&limit=1"))[0]
    draft = await f.create(
        "/api/goals/goals",
        {"unit_code": UNIT, "title": "Matrisens utkast", "perspective": "employee", "start_year": 2024},
    )
    return [
        Target(f"{goal['status']} goal", {"goal_id": goal["id"], "year": "2024", "period": "T2"}, state=_state(s))
        for goal in (decided, draft)
        for s in [goal["status"]]
    ]


async def _plan_targets(f: Finder) -> list[Target]:
    decided = next(p for p in await f.items("/api/goals/plans") if p["status"] == "decided")
    draft = await f.create(
        "/api/goals/plans", {"title": "Matrisens planutkast", "start_year": 2030, "end_year": 2032, "strategies": []}
    )
    return [
        Target(f"{plan['status']} plan", {"plan_id": plan["id"]}, unit="RF", state=_state(plan["status"]))
        for plan in (decided, draft)
    ]


async def _strategy_targets(f: Finder) -> list[Target]:
    plan = next(p for p in await f.items("/api/goals/plans") if p["status"] == "decided")
    return [Target("strategy", {"strategy_id": plan["strategies"][0]["id"]}, unit="RF", state=State.decided)]


async def _indicator_targets(f: Finder) -> list[Target]:
    for goal in await f.items(f"/api/goals/goals?unit={UNIT}&status=decided&limit=500"):
        for indicator in await f.items(f"/api/goals/indicators?goal={goal['id']}"):
            measurements = await f.items(f"/api/goals/indicators/{indicator['id']}/measurements")
            if measurements:
                values = {"indicator_id": indicator["id"], "measurement_id": measurements[0]["id"]}
                return [Target("indicator of a decided goal", values, state=State.decided)]
    raise AssertionError(f"no measured indicator on {UNIT}")


async def _assignment_targets(f: Finder) -> list[Target]:
    found = (await f.items(f"/api/goals/assignments?assignee={UNIT}"))[0]
    values = {"assignment_id": found["id"], "year": "2024", "period": "T2"}
    return [Target("assignment", values, units={"the issuing body": found["issuer_code"], "the assignee": UNIT})]


async def _activity_targets(f: Finder) -> list[Target]:
    found = await f.items(f"/api/goals/activities?unit={UNIT}&limit=500")
    found = found or await f.items("/api/goals/activities?limit=500")
    activity = next(a for a in found if a["unit_code"] in {UNIT, "HSF", "PV", "SV"})
    goal = await f.get(f"/api/goals/goals/{activity['goal_id']}")
    return [
        Target("activity", {"activity_id": activity["id"]}, unit=activity["unit_code"], state=_state(goal["status"]))
    ]


async def _edition_targets(f: Finder) -> list[Target]:
    edition = await f.create(
        "/api/goals/report-editions", {"kind": "interim", "year": 2024, "period": "T2", "unit_code": UNIT}
    )
    section = next(s for s in edition["sections"] if s["unit_code"] == UNIT)
    values = {"edition_id": edition["id"], "section_id": section["id"]}
    return [Target("open report edition", values, state=State.draft)]


async def _record_of(
    f: Finder,
    path: str,
    param: str,
    label: str,
    state: Callable[[dict[str, Any]], State | None],
    unit_key: str = "unit_code",
    **more: Callable[[dict[str, Any]], str],
) -> list[Target]:
    found = next(r for r in await f.items(path) if r.get(unit_key, UNIT) == UNIT)
    values = {param: str(found["year"] if param == "year" else found["id"])}
    values.update({name: pick(found) for name, pick in more.items()})
    return [Target(label, values, unit=found.get(unit_key, UNIT), state=state(found))]


def _no_state(_: dict[str, Any]) -> State | None:
    return None


async def _periodisation_targets(f: Finder) -> list[Target]:
    """The demo data has no periodised budget: one is made, its twelve months adding up to the frame."""
    frames = await f.items(f"/api/budget/frames?unit={UNIT}&status=decided&limit=500")
    frame = max(frames, key=lambda fr: (fr["year"], fr["revision"]))
    total = Decimal(frame["amount"])
    month = (total / 12).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    months = [str(month)] * 11 + [str(total - 11 * month)]
    path = f"/api/budget/periodisations/{UNIT}/{frame['year']}"
    response = await f.client.put(path, headers=f.headers, json={"months": months})
    assert response.status_code in (200, 201), response.text
    return [Target("periodisation", {"unit_code": UNIT, "year": str(frame["year"])})]


async def _grant_targets(f: Finder) -> list[Target]:
    grant = next(g for g in await f.items("/api/budget/grants?limit=500") if g["coordinator_unit"] == UNIT)
    goal = (await f.items(f"/api/goals/goals?unit={UNIT}&status=decided&limit=1"))[0]
    linked = await f.create(f"/api/budget/grants/{grant['id']}/goals", {"goal_id": goal["id"], "how": "Matrisen"})
    values = {"grant_id": grant["id"], "year": str(grant["used"][0]["year"]), "link_id": linked["goals"][0]["id"]}
    evidence = await f.upload(f"/api/budget/grants/{grant['id']}/uses/{values['year']}/evidence", "bruk.txt", b"Bruk")
    return [Target("grant", {**values, "evidence_id": evidence["id"]})]


async def _fixed(target: Target) -> list[Target]:
    return [target]


async def _frames(f: Finder) -> list[Target]:
    frames = await f.items(f"/api/budget/frames?unit={UNIT}&limit=500")
    picked = [next(fr for fr in frames if fr["status"] == s) for s in ("proposal", "decided")]
    return [Target(f"{fr['status']} frame", {"frame_id": fr["id"]}, state=_state(fr["status"])) for fr in picked]


async def _verdicts(f: Finder) -> list[Target]:
    rec = (await f.items(f"/api/audit/recommendations?body={UNIT}"))[0]
    verdict = await f.as_auditor().create(
        f"/api/audit/recommendations/{rec['id']}/verdicts", {"verdict": VERDICT, "reviewed_on": "2024-06-30"}
    )
    return [Target("verdict", {"verdict_id": verdict["id"]}, unit=rec["body_code"])]


async def _actions(f: Finder) -> list[Target]:
    # One still under way: a finished action's evidence is final, so none could be attached to it here.
    action = next(a for a in await f.items(f"/api/audit/actions?body={UNIT}") if a["status"] in UNDER_WAY)
    note = await f.create(f"/api/audit/actions/{action['id']}/notes", {"noted_on": "2024-06-30", "text": "Matrisen"})
    evidence = await f.upload(f"/api/audit/actions/{action['id']}/evidence", "protokoll.txt", b"Protokoll")
    return [Target("action", {"action_id": action["id"], "note_id": note["id"], "evidence_id": evidence["id"]})]


async def _a_response_with_evidence(f: Finder, text: str) -> dict[str, str]:
    """A new report's recommendation to the unit, answered, with a file attached while the answer is a draft."""
    report = await f.as_auditor().create(
        "/api/audit/reports",
        {
            "title": f"Granskning: {text}",
            "audit_year": 2024,
            "received_on": "2024-03-01",
            "recipients": [{"body_code": UNIT, "diary_number": "HSN/1/2024"}],
            "recommendations": [{"body_code": UNIT, "text": text, "response_due_on": "2024-06-30"}],
        },
    )
    recommendation = report["recommendations"][0]["id"]
    answer = await f.create(
        "/api/audit/responses", {"recommendation_id": recommendation, "body_code": UNIT, "text": "Vi delar den."}
    )
    evidence = await f.upload(f"/api/audit/responses/{answer['id']}/evidence", "svar.txt", b"Svar")
    return {"response_id": answer["id"], "evidence_id": evidence["id"], "version": str(answer["version"])}


async def _responses(f: Finder) -> list[Target]:
    """A draft response and a decided one, each with a file: a decided response takes no new files."""
    draft = await _a_response_with_evidence(f, "Inför en rutin för uppföljning.")
    decided = await _a_response_with_evidence(f, "Dokumentera besluten.")
    decision = {"decided_by": UNIT, "decided_on": "2024-05-30", "paragraph": "§ 40", "diary_number": "HSN/1/2024"}
    response = await f.client.post(
        f"/api/audit/responses/{decided['response_id']}/decide",
        headers={**f.headers, "If-Match": f'"{decided.pop("version")}"'},
        json=decision,
    )
    assert response.status_code == 200, response.text
    draft.pop("version")
    return [
        Target("draft response", draft, unit=UNIT, state=State.draft),
        Target("decided response", decided, unit=UNIT, state=State.decided),
    ]


async def _control(f: Finder) -> list[Target]:
    plan = (await f.items(f"/api/audit/internal-control/plans?body={UNIT}"))[0]
    plan = await f.get(f"/api/audit/internal-control/plans/{plan['id']}")
    risk = next(r for r in plan["risks"] if r["controls"] and r["controls"][0]["results"])
    control = risk["controls"][0]
    values = {
        "plan_id": plan["id"],
        "risk_id": risk["id"],
        "control_id": control["id"],
        "result_id": control["results"][0]["id"],
    }
    result_path = f"/api/audit/internal-control/results/{values['result_id']}/evidence"
    values["evidence_id"] = (await f.upload(result_path, "kontroll.txt", b"Kontroll"))["id"]
    return [Target(f"{plan['status']} control plan", values, state=_state(plan["status"]))]


FINDERS: dict[str, Callable[[Finder], Awaitable[list[Target]]]] = {
    "/api/goals/units/{code}": lambda f: _fixed(Target("unit", {"code": UNIT})),
    "/api/goals/plans/{plan_id}": _plan_targets,
    "/api/goals/strategies/{strategy_id}": _strategy_targets,
    "/api/goals/goals/{goal_id}": _goal_targets,
    "/api/goals/indicators/{indicator_id}": _indicator_targets,
    "/api/goals/measurements/{measurement_id}": _indicator_targets,
    "/api/goals/assignments/{assignment_id}": _assignment_targets,
    "/api/goals/activities/{activity_id}": _activity_targets,
    "/api/goals/report-editions/{edition_id}": _edition_targets,
    "/api/reports/editions/{edition_id}": _edition_targets,
    "/api/reports/interim/{year}": lambda f: _fixed(Target("2024", {"year": "2024", "period": "T2"})),
    "/api/reports/annual/{year}": lambda f: _fixed(Target("2024", {"year": "2024"})),
    "/api/budget/resources/{year}": lambda f: _record_of(f, "/api/budget/resources", "year", "resources", _no_state),
    "/api/budget/frames/{frame_id}": _frames,
    "/api/budget/periodisations/{unit_code}": _periodisation_targets,
    "/api/budget/outcomes/{outcome_id}": lambda f: _record_of(
        f, f"/api/budget/outcomes?unit={UNIT}", "outcome_id", "outcome", _no_state
    ),
    "/api/budget/forecasts/{forecast_id}": lambda f: _record_of(
        f, f"/api/budget/forecasts?unit={UNIT}", "forecast_id", "forecast", _no_state
    ),
    "/api/budget/economy/units/{unit_code}": lambda f: _fixed(Target("unit", {"unit_code": UNIT})),
    "/api/budget/investment-frames/{year}": lambda f: _record_of(
        f, "/api/budget/investment-frames", "year", "investment frame", _no_state
    ),
    "/api/budget/investments/{project_id}": lambda f: _record_of(
        f,
        "/api/budget/investments?limit=500",
        "project_id",
        "investment",
        _no_state,
        unit_key="owner_unit",
        year=lambda r: str(r["years"][0]["year"]),
    ),
    "/api/budget/grants/{grant_id}": _grant_targets,
    "/api/reports/trace/grants/{grant_id}": _grant_targets,
    "/api/budget/scenarios/{scenario_id}": lambda f: _record_of(
        f, "/api/budget/resources/2023/scenarios", "scenario_id", "scenario", _no_state, year=lambda r: str(r["year"])
    ),
    "/api/budget/needs/{need_id}": lambda f: _record_of(
        f, f"/api/budget/needs?unit={UNIT}", "need_id", "need", _no_state
    ),
    "/api/budget/dialogues/{dialogue_id}": lambda f: _record_of(
        f, f"/api/budget/dialogues?unit={UNIT}", "dialogue_id", "dialogue", _no_state
    ),
    "/api/budget/forecast-proposals/{proposal_id}": lambda f: _record_of(
        f, f"/api/budget/forecast-proposals?unit={UNIT}", "proposal_id", "forecast proposal", _no_state
    ),
    "/api/budget/fees/{fee_id}": lambda f: _record_of(f, "/api/budget/fees", "fee_id", "fee", _no_state),
    "/api/budget/account-mappings/{mapping_id}": lambda f: _record_of(
        f, "/api/budget/account-mappings", "mapping_id", "account mapping", _no_state
    ),
    "/api/budget/balance-adjustments/{adjustment_id}": lambda f: _record_of(
        f, "/api/budget/balance-adjustments", "adjustment_id", "balance adjustment", _no_state
    ),
    "/api/audit/reports/{report_id}": lambda f: _record_of(
        f, "/api/audit/reports", "report_id", "audit report", _no_state
    ),
    "/api/audit/recommendations/{recommendation_id}": lambda f: _record_of(
        f,
        f"/api/audit/recommendations?body={UNIT}",
        "recommendation_id",
        "recommendation",
        _no_state,
        unit_key="body_code",
    ),
    "/api/reports/trace/recommendations/{recommendation_id}": lambda f: _record_of(
        f,
        f"/api/audit/recommendations?body={UNIT}",
        "recommendation_id",
        "recommendation",
        _no_state,
        unit_key="body_code",
    ),
    "/api/audit/verdicts/{verdict_id}": _verdicts,
    "/api/audit/responses/{response_id}": _responses,
    "/api/audit/actions/{action_id}": _actions,
    "/api/audit/statements/{statement_id}": lambda f: _record_of(
        f, f"/api/audit/statements?body={UNIT}", "statement_id", "statement", _no_state, unit_key="body_code"
    ),
    "/api/audit/internal-control/plans/{plan_id}": _control,
    "/api/audit/internal-control/risks/{risk_id}": _control,
    "/api/audit/internal-control/controls/{control_id}": _control,
    "/api/audit/internal-control/results/{result_id}": _control,
    "/api/reports/trace/risks/{risk_id}": _control,
    "/api/audit/bodies/{body_code}": lambda f: _fixed(Target("body", {"body_code": UNIT})),
}


# An operation without a record in its path (a list, a create) is checked on HSN; the records a
# body names are the first (decided) targets found, so a create is judged as on decided material.
NOTHING_IN_THE_PATH = Target(f"{UNIT}, decided records named in the body", {}, state=State.decided)


def _resource(template: str) -> str:
    """The part of a path that names its record: up to and including the first path parameter."""
    return template[: template.index("}") + 1] if "{" in template else ""


def _finder_key(template: str) -> str | None:
    resource = _resource(template)
    return next((key for key in FINDERS if resource.startswith(key)), None)


# --- request bodies ------------------------------------------------------------------------------

_STRING_CANDIDATES = ("100.00", "100", UNIT, "HSN/1/2024", "2024-06-30", "T2", "§ 1", "N07402", "0023", "Matrisen", "x")


class Bodies:
    """A minimal valid body for an operation, from its request schema: required fields, filled by name."""

    def __init__(self, document: dict[str, Any], named: dict[str, Any]) -> None:
        self.schemas = document["components"]["schemas"]
        self.named = named

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in schema:
                options = [o for o in schema[combinator] if o.get("type") != "null"]
                schema = {**self.resolve(options[0]), **{k: v for k, v in schema.items() if k != combinator}}
        return schema

    def value(self, name: str, schema: dict[str, Any]) -> Any:
        schema = self.resolve(schema)
        if name in self.named:
            return self.named[name]
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self.object(schema)
        if kind == "array":
            return [self.value(name, schema.get("items", {}))] * schema.get("minItems", 0)
        if kind == "integer":
            low, high = schema.get("minimum", 1), schema.get("maximum", 10**9)
            wanted = 2024 if "year" in name else 6 if "month" in name else 1
            return min(max(wanted, low), high)
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        return self.string(name, schema)

    def string(self, name: str, schema: dict[str, Any]) -> str:
        if schema.get("format") == "date":
            return "2024-06-30"
        if schema.get("format") == "date-time":
            return "2024-06-30T12:00:00Z"
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        pattern = schema.get("pattern")
        # Then the schema's own examples: a bounded value (a growth rate of -50..50) takes none of the others.
        examples = [e for e in schema.get("examples", []) if isinstance(e, str)]
        for candidate in (*_STRING_CANDIDATES, *examples):
            if pattern is None or re.search(pattern, candidate):
                if len(candidate) >= schema.get("minLength", 0):
                    return candidate
        raise AssertionError(f"no sample for {name}: {schema}")

    def object(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The required fields, and the unit or goal an optional field names: it decides whose record it is."""
        properties = schema.get("properties", {})
        wanted = [name for name in properties if name in schema.get("required", []) or name in OWNER_FIELDS]
        return {name: self.value(name, properties[name]) for name in wanted}

    def query(self, operation: dict[str, Any]) -> dict[str, Any]:
        """The required query parameters (a year, a follow-up), which are validated before the route runs."""
        wanted = {
            p["name"]: self.value(p["name"], p.get("schema", {}))
            for p in operation.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        return {**wanted, **{name: self.named[key] for name, key in QUERIES.get(operation["operationId"], {}).items()}}

    def request(self, operation: dict[str, Any]) -> dict[str, Any]:
        """httpx keyword arguments for the operation's body, if it takes one."""
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            return {"json": self.value("", content["application/json"]["schema"])}
        if "multipart/form-data" in content:  # an evidence file
            return {"files": {"file": ("protokoll.txt", b"Protokoll")}}
        if content:  # a file (CSV, TSV): its rows are checked by the route itself, after the caller
            media_type = next(iter(content))
            return {"content": b"", "headers": {"content-type": media_type}}
        return {}


# --- the matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    rule: Rule | None
    spec: dict[str, Any]

    @property
    def write(self) -> bool:
        return self.method in WRITE_METHODS

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.template}"


def _operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for template, item in document["paths"].items():
        if not template.startswith("/api/"):
            continue
        for method, spec in item.items():
            declared = spec.get("x-access-rule")
            found.append(Operation(method, template, Rule.from_json(declared) if declared else None, spec))
    return found


def _fill(template: str, target: Target) -> str | None:
    path = template
    for name in re.findall(r"{(\w+)}", template):
        if name not in target.values:
            return None
        path = path.replace("{" + name + "}", target.values[name])
    return path


def _org_tree(tree: dict[str, Any]) -> dict[str, OrgNode]:
    return {u["code"]: OrgNode(u["code"], u["parent_code"], UnitKind(u["kind"])) for u in tree["units"]}


def _unit_namer(tree: Mapping[str, OrgNode], target: Target) -> Callable[[str], str]:
    by_kind = {UnitKind.council: COUNCIL, UnitKind.board: BOARD}
    fixed = {by_kind[node.kind]: code for code, node in tree.items() if node.kind in by_kind}
    return lambda words: fixed.get(words) or target.units.get(words) or target.unit


GATEWAY_WRITE_GATE = "editor or registrar on a unit"  # how the gateway names what a reader lacks to write


def _what_would_do(rule: Rule, unit_code: Callable[[str], str]) -> set[str]:
    """How a refusal names each grant of the rule in `required` ("HSN:editor", "finance", "any role")."""
    names = {GATEWAY_WRITE_GATE}
    for grant in rule.grants:
        if grant.kind is GrantKind.unit_role:
            names.add(f"{unit_code(grant.unit)}:{grant.role}")
        elif grant.kind in (GrantKind.region_role, GrantKind.scope):
            names.add(grant.role)
        elif grant.kind is GrantKind.board:
            names.add(f"{unit_code(BOARD)}:reader")
        elif grant.kind is GrantKind.signed_in:
            names.add("any role")
        elif grant.kind is GrantKind.own:
            names.add("a person with any role")
        else:  # the gateway acting for a registrar, or a writer whose rows are checked: named by the route
            names.add("registrar")
    return names


def _got(response: httpx.Response, would_do: set[str]) -> Outcome | str:
    if response.status_code == 403:
        problem = response.json() if response.headers["content-type"].startswith("application/problem+json") else {}
        required = str(problem.get("required", ""))
        if not any(name in required for name in would_do):
            return f"403 whose required ({required!r}) names none of {sorted(would_do)}"
        return Outcome.refused
    if response.status_code == 404:
        return Outcome.hidden
    if response.status_code == 401:
        return "401"
    return Outcome.allowed


@dataclass
class Matrix:
    checked: int = 0
    differences: list[str] = field(default_factory=list)

    def differs(self, operation: Operation, caller: str, target: Target, expected: str, response: httpx.Response):
        self.differences.append(
            f"{operation} [{target.label}] as {caller}: expected {expected}, "
            f"got {response.status_code} {response.text[:200]}"
        )


async def _call(client: httpx.AsyncClient, operation: Operation, path: str, caller: Caller, bodies: Bodies):
    request = bodies.request(operation.spec) if operation.write else {}
    headers = {**caller.headers(), **request.pop("headers", {})}
    if operation.write:
        headers["If-Match"] = STALE
    params = bodies.query(operation.spec)
    return await client.request(operation.method.upper(), path, headers=headers, params=params, **request)


async def test_every_operation_answers_every_caller_as_its_declared_rule_says(seeded, signing_key):
    client = seeded.client
    document = await seeded.document()
    operations = _operations(document)
    # Guard against a vacuous pass: every service and the reports are here, and all of them.
    assert {op.template.split("/")[2] for op in operations} == PREFIXES
    assert len(operations) > 150

    finder = Finder(client, signing_key)
    tree = _org_tree(await finder.get("/api/goals/units/tree"))
    targets: dict[str, list[Target]] = {}
    found_by: dict[Callable[[Finder], Awaitable[list[Target]]], list[Target]] = {}
    for key, find in FINDERS.items():
        if find not in found_by:  # a finder shared by two paths makes its records once
            found_by[find] = await find(finder)
        targets[key] = found_by[find]
    named: dict[str, Any] = {"unit_code": UNIT, "body_code": UNIT, "coordinator_unit": UNIT, "owner_unit": UNIT}
    named.update(issuer_code=UNIT, assignee_code=UNIT, parent_code=UNIT)
    for found in targets.values():
        for name, value in found[0].values.items():
            if name.endswith("_id"):
                named.setdefault(name, value)
                named.setdefault(name + "s", [value])
    bodies = Bodies(document, named)
    callers = _callers(signing_key)
    matrix = Matrix()
    unfillable = []
    missing_rules = [str(op) for op in operations if op.rule is None]
    # Who only reads writes nothing but what is their own (their reminder settings), kept under a `me` path
    # by the caller's subject; the operations below then check that a reader is let through there.
    readers = [_principal(c, tree) for c in callers if c.roles and c.roles[0].endswith(":reader")]
    readers_write = {str(op) for op in operations if op.write and op.rule and any(op.rule.owned_by(r) for r in readers)}
    assert "PUT /api/me/reminders" in readers_write
    assert all("/me/" in write for write in readers_write), readers_write

    for operation in operations:
        key = _finder_key(operation.template)
        on = targets[key] if key else [NOTHING_IN_THE_PATH]
        for target in on:
            path = _fill(operation.template, target)
            if path is None:
                unfillable.append(f"{operation} [{target.label}]")
                continue
            for caller in callers:
                matrix.checked += 1
                response = await _call(client, operation, path, caller, bodies)
                if not caller.signed_in:
                    problem = response.headers.get("content-type", "").startswith("application/problem+json")
                    if response.status_code != 401 or not problem:
                        matrix.differs(operation, caller.name, target, "401 problem+json", response)
                    continue
                if operation.rule is None:
                    continue
                principal = _principal(caller, tree)
                unit_code = _unit_namer(tree, target)
                expected = operation.rule.outcome(principal, unit_code, target.state, write=operation.write)
                absent = target.state is not None and ABSENT_WHILE.get(operation.spec["operationId"]) is target.state
                if expected is Outcome.allowed and absent:
                    expected = Outcome.hidden
                if _got(response, _what_would_do(operation.rule, unit_code)) != expected:
                    matrix.differs(operation, caller.name, target, expected.value, response)

    summary = (
        f"access matrix: {len(operations)} operations x {len(callers)} callers = {matrix.checked} combinations "
        f"(some operations on two targets), {len(matrix.differences)} differences"
    )
    print(summary)  # noqa: T201 (shown with -s)
    problems = [
        *(f"no x-access-rule: {m}" for m in missing_rules),
        *(f"no way to fill the path of {u}" for u in unfillable),
        *matrix.differences,
    ]
    assert not problems, summary + "\n" + "\n".join(problems)
