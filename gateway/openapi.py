"""One OpenAPI document for the whole product: the gateway's own routes and every service's, under /api/<service>."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from shared.auth.access import GrantKind
from shared.openapi import finish, operations, problem_response

SECURITY_SCHEME = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the region's identity provider (in development: `styr token`). "
        "Roles in the `roles` claim: `UNIT:reader|editor|registrar`, `auditor`, `finance`, `admin`.",
    }
}
_PUBLIC_PATHS = {"/healthz", "/readyz", "/openapi.json"}
# Relative to where the document was read: the gateway answers every operation at its own address.
SERVERS = [{"url": "/", "description": "This gateway: every operation, signed in with a bearer token"}]
TAGS = {
    "reports": "The combined reports (interim T1 and T2, annual) in JSON, HTML, Word or PDF, each section read "
    "with the caller's own rights; `X-Report-Complete` and `X-Report-Missing` say whether a document is whole.",
    "report production": "Editions of a report being written: the sections' texts and ready flags, and the "
    "registrar's completion, which freezes the report as it stood.",
    "org units": "The region's organisation: council, board, committees and their administrations, as a tree.",
    "plans and strategies": "The council's plans (budget and plan documents), their perspectives and strategies.",
    "perspectives": "The perspectives a plan's goals are grouped under.",
    "goals": "Goals of the steering chain: the council's, and the committees' goals linked to them.",
    "indicators": "Indicators that measure a goal or a strategy, their targets and tolerance per year, and the "
    "measurements of each period.",
    "follow-up": "The follow-up of goals and assignments per period: analysis text and assessment.",
    "assignments": "Assignments (uppdrag) given by one body to another, with their follow-ups and status.",
    "activities": "Activities a unit carries out towards its goals.",
    "read models": "Read-only views computed in a fixed number of statements: the chain, goal fulfilment and "
    "quality, and for the auditors the state of every body; most take `as_of`.",
    "imports": "Imports of measurements, Kolada values and ledger outcomes from files; each answers a report "
    "of what was written and what was refused, line by line.",
    "exports": "Exports as CSV or TSV (for Excel) of goals, measurements and budget tables.",
    "changes": "The change feed of a service: every create, update and delete in order, with a `next` cursor.",
    "resource calculation": "The resource calculation: tax, general grants, other revenue, pension cost and the "
    "result target, which give the room for the frames.",
    "operating frames": "Operating frames per unit and year, built from their parts; proposals, decisions and "
    "revisions.",
    "outcomes": "Ledger outcomes per unit, month and account category.",
    "account plan": "How the ledger's accounts map to the account categories the reports sum.",
    "periodised budgets": "A unit's budget for the year spread over the twelve months.",
    "forecasts": "Forecasts of each unit's net cost for the year, per follow-up.",
    "closed years": "Years finance has closed: their forecasts, outcomes and periodised budgets are locked.",
    "economy follow-up": "Budget against outcome and forecast per unit and for the region, with deviations.",
    "year's accounts": "The income statement of a year, its result against the target, and the balance "
    "requirement with finance's adjustments.",
    "resource scenarios": "Named scenarios on a year's resource calculation (tax rate, tax base, population, "
    "indices, pensions, grants) for the budget year and two plan years, compared side by side; the council "
    "adopts one, which fixes the year's tax rate.",
    "fees": "Fees decided by the council: name, amount, unit and year, each kept with its decision.",
    "needs and dialogues": "The committees' needs for the plan period, finance's answer to each (which becomes "
    "political priorities in the frame proposal), and the budget dialogues between the board and a committee.",
    "investments": "Investment projects, their ten-year plans and the investment frames.",
    "targeted state grants": "Targeted state grants, their use per year and the goals they serve.",
    "audit reports": "The auditors' reports and the recommendations in them.",
    "recommendations": "Recommendations, their follow-up verdicts, and closing and reopening them.",
    "responses": "The bodies' responses to audit reports: drafted by the body's editors, then decided and locked.",
    "actions": "Actions a body takes on a recommendation, their progress notes and evidence.",
    "follow-up review": "The auditors' follow-up verdicts on the recommendations.",
    "accountability": "The auditors' accountability statements (ansvarsprövning) per body and year.",
    "internal control": "Internal control on the region's one risk matrix: control plans, risks scored "
    "likelihood × consequence, controls and their results.",
    "tasks": "What the caller is to do: the records naming them as owner, reporter or coordinator, and the "
    "responses their bodies owe, due or overdue, from each service and merged by the gateway.",
    "health": "Liveness and readiness probes, open without a token.",
}


def _rename_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if not renames:
        return node
    text = json.dumps(node)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    return json.loads(text)


def combine(gateway_doc: dict[str, Any], service_docs: Mapping[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Merge the documents; a schema name two services use differently is prefixed with the service name.

    The services' documents come finished (shared.openapi); the gateway's own is finished here. Then what
    only the gateway does: its rate limit (429), the public probes, the server and the tags, and the
    operations only the gateway may call left out."""
    doc = finish(copy.deepcopy(gateway_doc), signed_in=lambda path: path.startswith("/api/"))
    _declare_report_headers(doc)
    paths: dict[str, Any] = dict(doc.get("paths", {}))
    for path, item in paths.items():
        if path.startswith("/api/"):  # the gateway's own operations, the reports
            for operation in item.values():
                operation["security"] = [{"bearerAuth": []}]
    schemas: dict[str, Any] = dict(doc.get("components", {}).get("schemas", {}))
    missing = []
    for service, service_doc in service_docs.items():
        if service_doc is None:
            missing.append(service)
            continue
        own_schemas = service_doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service.capitalize()}{name}"
            for name, schema in own_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        for name, schema in _rename_refs(own_schemas, renames).items():
            if name in renames and isinstance(schema, dict):
                # Generators name classes by the title: keep it in step with the new name.
                schema = {**schema, "title": renames[name]}
            schemas[renames.get(name, name)] = schema
        for path, item in _rename_refs(service_doc.get("paths", {}), renames).items():
            if path in _PUBLIC_PATHS:
                continue
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.setdefault("tags", [service])
                    operation["security"] = [{"bearerAuth": []}]
            paths[f"/api/{service}{path}"] = item
    doc["paths"] = _without_gateway_internal(paths)
    doc.setdefault("components", {})["schemas"] = schemas
    doc["components"]["securitySchemes"] = SECURITY_SCHEME
    _as_the_gateway_answers(doc)
    doc["components"]["schemas"] = _reachable_schemas(doc)
    if missing:
        doc["info"]["description"] = (
            doc["info"].get("description", "")
            + f"\n\n**Incomplete:** the {', '.join(missing)} service(s) did not answer; their operations are missing."
        )
    return doc


REPORT_HEADERS = {
    "X-Report-Complete": {
        "description": "`true` when every section came out whole, `false` for a draft with parts missing",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
    "X-Report-Missing": {
        "description": "The sections missing and why, e.g. `economy (budget), goals (no data)`; only when some are",
        "schema": {"type": "string"},
    },
    "Content-Disposition": {
        "description": 'The file name, for Word and PDF: `attachment; filename="annual-2024-year.pdf"`',
        "schema": {"type": "string"},
    },
}


def _declare_report_headers(doc: dict[str, Any]) -> None:
    """The gateway's reports say in headers whether a document is whole, so a robot need not parse it."""
    for _, _, operation in operations(doc):
        answer = operation["responses"].get("200", {})
        if "text/html" in answer.get("content", {}):
            answer.setdefault("headers", {}).update(copy.deepcopy(REPORT_HEADERS))


def _gateway_internal(operation: dict[str, Any]) -> bool:
    """An operation only the gateway may call (it acts for a caller it has checked): not for clients."""
    grants = operation.get("x-access-rule", {}).get("any_of", [])
    return bool(grants) and all(grant.get("grant") == GrantKind.gateway for grant in grants)


def _without_gateway_internal(paths: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for path, item in paths.items():
        public = {method: op for method, op in item.items() if not (isinstance(op, dict) and _gateway_internal(op))}
        if public:
            kept[path] = public
    return kept


def _as_the_gateway_answers(doc: dict[str, Any]) -> None:
    for path, _, operation in operations(doc):
        if path.startswith("/api/"):
            # The rate limit per signed-in caller, and failed sign-ins per address.
            operation["responses"].setdefault("429", problem_response(429))
            operation["responses"] = dict(sorted(operation["responses"].items()))
        else:
            operation["security"] = []  # the probes are open
            operation.setdefault("description", "Open without a token, for the platform's probes and load balancers.")
    doc["servers"] = SERVERS
    used = sorted({tag for _, _, operation in operations(doc) for tag in operation.get("tags", [])})
    doc["tags"] = [{"name": tag, **({"description": TAGS[tag]} if tag in TAGS else {})} for tag in used]


def _reachable_schemas(doc: dict[str, Any]) -> dict[str, Any]:
    """The schemas the operations use, directly or through other schemas (left-out operations leave some)."""
    schemas: dict[str, Any] = doc["components"]["schemas"]
    reached: set[str] = set()
    pending = _refs(doc["paths"])
    while pending:
        name = pending.pop()
        if name in reached or name not in schemas:
            continue
        reached.add(name)
        pending |= _refs(schemas[name])
    return {name: schema for name, schema in schemas.items() if name in reached}


def _refs(node: Any) -> set[str]:
    return set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(node)))
