"""One OpenAPI document for the whole product: the gateway's own routes and every service's, under /api/<service>."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import WithJsonSchema

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
    "reminders": "Reminders of a person's tasks before they are due and a weekly digest, by e-mail and webhook: "
    "what was sent to the caller, and their choice to have none.",
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
    "plan period": "The budget year and its two plan years side by side, per unit and for the region: resources, "
    "frames (with investments' running costs), needs and investments, against the previous decided version.",
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


# Marks, in the gateway's own schemas, a value passed on from a service as it came; combine() replaces it.
ANSWER_OF = "x-answer-of"


@dataclass(frozen=True)
class ServiceAnswer:
    """What a service's GET answers at `path` (a route template), or the part of it reached by the property
    names in `part`: the gateway passes such values on as they came."""

    service: str
    path: str
    part: tuple[str, ...] = ()

    def at(self, **parameters: str) -> str:
        """The path to ask, its parameters filled in."""
        return self.path.format(**parameters)


class UndocumentedAnswer(LookupError):
    """A value is documented as a service's answer that the service's document does not give."""


def documented_as(*answers: ServiceAnswer) -> WithJsonSchema:
    """Documents a passed-on value by the service's own schema (under the service's name for it), so a client
    gets one type for it wherever it appears; with several answers, it is one of them."""
    sources = [{"service": a.service, "path": a.path, "part": list(a.part)} for a in answers]
    return WithJsonSchema({ANSWER_OF: sources})


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
    _resolve_answers(doc, missing)
    _as_the_gateway_answers(doc)
    _link_records(doc)
    doc["components"]["schemas"] = _reachable_schemas(doc)
    if missing:
        doc["info"]["description"] = (
            doc["info"].get("description", "")
            + f"\n\n**Incomplete:** the {', '.join(missing)} service(s) did not answer; their operations are missing."
        )
    return doc


def _resolve_answers(doc: dict[str, Any], missing: list[str]) -> None:
    """Each value documented as a service's answer gets that answer's schema; where the service did not
    answer, any JSON (the document then says it is incomplete)."""

    def resolve(node: Any) -> None:
        if isinstance(node, dict):
            sources = node.pop(ANSWER_OF, None)
            if sources is not None:
                found = [_answer_schema(doc, _answer_named(source), missing) for source in sources]
                for key, value in copy.deepcopy(found[0] if len(found) == 1 else {"anyOf": found}).items():
                    node.setdefault(key, value)  # the gateway's own title and description stand
            for value in node.values():
                resolve(value)
        elif isinstance(node, list):
            for value in node:
                resolve(value)

    resolve(doc["components"]["schemas"])


def _answer_named(source: dict[str, Any]) -> ServiceAnswer:
    return ServiceAnswer(source["service"], source["path"], tuple(source["part"]))


def _answer_schema(doc: dict[str, Any], answer: ServiceAnswer, missing: list[str]) -> dict[str, Any]:
    if answer.service in missing:
        return {}
    try:
        operation = doc["paths"][f"/api/{answer.service}{answer.path}"]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        for name in answer.part:
            schema = _dereferenced(doc, _without_null(schema))["properties"][name]
    except KeyError as absent:
        raise UndocumentedAnswer(f"The {answer.service} service's document gives no {answer}") from absent
    return _without_null(schema)


def _dereferenced(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`X | None` as X: where the gateway's value may be null, its own schema says so."""
    alternatives = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    return alternatives[0] if "anyOf" in schema and len(alternatives) == 1 else schema


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


# A record's own path: `/api/<service>/…/<collection>/{<name>_id}`, its one parameter naming it.
_RECORD_PATH = re.compile(r"^/api/(?P<service>[^/]+)/(?:[^{}]*/)?(?P<collection>[^/{}]+)/\{(?P<parameter>\w+_id)\}$")
_RECORD_METHODS = ("get", "patch", "put", "delete")


def _link_records(doc: dict[str, Any]) -> None:
    """OpenAPI links, so a client or a stateful test can follow a record: from the call that creates it to the
    calls on its own path, and from reading it to changing it (with its ETag) and back. Derived from the paths
    (a POST to `…/recommendations` creates what `/api/audit/recommendations/{recommendation_id}` names) and
    checked by the schemas (the created record's fields and the read one's are one the other's part)."""
    records = {
        (m["service"], m["collection"]): (path, m["parameter"])
        for path in doc["paths"]
        if (m := _RECORD_PATH.match(path))
    }
    for path, method, operation in list(operations(doc)):
        service, collection = path.removeprefix("/api/").split("/", 1)[0], path.rsplit("/", 1)[-1]
        if method == "post" and (record := records.get((service, collection))) is not None:
            _link_created(doc, operation, *record)
        if method in _RECORD_METHODS and (m := _RECORD_PATH.match(path)):
            _link_same_record(doc, path, method, operation, m["parameter"])


def _link_created(doc: dict[str, Any], create: dict[str, Any], path: str, parameter: str) -> None:
    created = _success(create)
    read = _success(doc["paths"][path].get("get", {}))
    if created is None or not _same_kind(doc, created, read):
        return
    for method, target in doc["paths"][path].items():
        if method in _RECORD_METHODS:
            _add_link(created, target, {parameter: "$response.body#/id"})


def _link_same_record(doc: dict[str, Any], path: str, method: str, operation: dict[str, Any], parameter: str) -> None:
    """A read leads to the changes (If-Match from its ETag), a change back to the read."""
    answer = _success(operation)
    if answer is None:
        return
    same = {parameter: f"$request.path.{parameter}"}
    for other_method, target in doc["paths"][path].items():
        if method == "get" and other_method in ("patch", "put", "delete"):
            _add_link(answer, target, same)
        if method in ("patch", "put") and other_method == "get":
            _add_link(answer, target, same)


def _add_link(answer: dict[str, Any], target: dict[str, Any], parameters: dict[str, str]) -> None:
    if _requires_if_match(target):
        if "ETag" not in answer.get("headers", {}):
            return  # it would always answer 428
        parameters = {**parameters, "header.If-Match": "$response.header.ETag"}
    link = {"operationId": target["operationId"], "parameters": parameters}
    answer.setdefault("links", {})[target["operationId"]] = link


def _requires_if_match(operation: dict[str, Any]) -> bool:
    return any(p.get("name") == "If-Match" and p.get("required") for p in operation.get("parameters", []))


def _success(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The operation's first 2xx answer with a JSON body."""
    answers: dict[str, dict[str, Any]] = operation.get("responses", {})
    return next(
        (a for s, a in answers.items() if s.startswith("2") and "application/json" in a.get("content", {})), None
    )


def _same_kind(doc: dict[str, Any], created: dict[str, Any], read: dict[str, Any] | None) -> bool:
    """Whether what a POST answers is the record the path names: one's fields contain the other's, `id` among them."""
    if read is None:
        return False
    mine, theirs = (_fields(doc, answer) for answer in (created, read))
    return "id" in mine and (mine <= theirs or theirs <= mine)


def _fields(doc: dict[str, Any], answer: dict[str, Any]) -> set[str]:
    schema = answer["content"]["application/json"].get("schema", {})
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return set(schema.get("properties", {}))


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
