"""The OpenAPI document as the server behaves, finished in one place for every app.

FastAPI describes what the routes declare; the server does more in its middleware and error handlers:
every error is a problem in `application/problem+json`, a caller without a token gets 401 everywhere, a
lost database 503, a write may meet 409 from a constraint, a body may be too large (413), records carry
an ETag and answer 304 to If-None-Match (shared.conditional), and If-Match is required where a missing
one answers 428. This module writes that into the document, so a generated client can type and parse
what it will actually get.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI

from shared.errors import PROBLEM_MEDIA_TYPE, Problem

PROBLEM_REF = "#/components/schemas/Problem"
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = frozenset({"get", "head", *WRITE_METHODS})
# Keywords pydantic writes for constraints JSON Schema cannot say on the type they sit on.
_FRAMEWORK_KEYWORDS = frozenset({"ge", "le", "gt", "lt", "max_digits", "decimal_places", "allow_inf_nan"})
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
# A path parameter naming a record: its absence (or a draft the caller may not read) answers 404.
_RECORD_PARAMETER = re.compile(r"\{[a-z_]*(id|code)\}")

ERROR_TITLES = {
    401: "No valid bearer token",
    403: "Not allowed: `required` names a role that would allow the call",
    404: "Not found, or a draft the caller may not read",
    409: "Conflicts with the record's state or with other records",
    412: "The record has changed since it was read (If-Match is stale)",
    413: "The request body is larger than allowed (2 MiB; an evidence file 10 MiB)",
    415: "The file is not of an accepted type (judged by its content)",
    422: "The request is not valid; `errors` names the failing fields",
    428: "If-Match is required: send the ETag you read",
    429: "Too many requests; try again after Retry-After seconds",
    503: "A service or its database is unavailable; try again after Retry-After seconds",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer", "minimum": 0}}
}
ETAG_HEADER = {
    "ETag": {
        "description": "The record's version; send it back in If-Match to change it, or If-None-Match to read it again",
        "schema": {"type": "string", "examples": ['"3"']},
    }
}
# RFC 9110's entity-tag: "3" or W/"3", a list of them separated by commas and optional white space, which
# HTTP spells as spaces and tabs only (If-Match: * is refused, as it would overwrite changes the caller has
# not seen).
_ENTITY_TAG = r'(W/)?"[!#-~]*"'
ENTITY_TAGS = rf"^{_ENTITY_TAG}([ \t]*,[ \t]*{_ENTITY_TAG})*$"
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you hold: while it is current, the answer is 304 with no body",
    "schema": {"type": "string", "pattern": rf"^\*$|{ENTITY_TAGS}", "examples": ['"3"']},
}


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """A response entry whose body is a Problem, in the media type the server sends."""
    response: dict[str, Any] = {
        "description": description or ERROR_TITLES.get(status, "Error"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if status in (429, 503):
        response["headers"] = dict(_RETRY_AFTER)
    return response


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                yield path, method, operation


def finish(doc: dict[str, Any], signed_in: Callable[[str], bool]) -> dict[str, Any]:
    """The document as the server behaves; `signed_in(path)` says whether a path needs a token."""
    doc = _readable_page_names(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    _add_problem_schemas(schemas)
    for path, method, operation in operations(doc):
        responses = operation.setdefault("responses", {})
        for status in _errors_it_can_give(path, method, operation, signed_in(path)):
            responses.setdefault(str(status), problem_response(status))
        for status, response in responses.items():
            if int(status) >= 400:
                _as_problem(response, int(status))
        _require_if_match(operation)
        _declare_etag(method, operation, schemas)
        _describe_success(method, operation)
        _describe_access(operation)
        operation["responses"] = dict(sorted(responses.items()))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    _drop_framework_keywords(doc)
    _only_keys_by_pattern(doc)
    return doc


def install_openapi(app: FastAPI, signed_in: Callable[[str], bool]) -> None:
    """Make `app.openapi()` (and so /openapi.json) answer the finished document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(build(), signed_in)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_GENERIC_PAGE = re.compile(r"^Page_([A-Za-z0-9]+)_$")


def _readable_page_names(doc: dict[str, Any]) -> dict[str, Any]:
    """Page_GoalRead_ → GoalPage (the page model's title says the same: shared.pagination)."""
    schemas = doc.get("components", {}).get("schemas", {})
    renames = {}
    for name, schema in schemas.items():
        if (match := _GENERIC_PAGE.match(name)) and isinstance(schema, dict):
            readable = schema.get("title") or match.group(1).removesuffix("Read") + "Page"
            if readable not in schemas:
                renames[name] = readable
    return rename_schemas(doc, renames)


def rename_schemas(doc: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """The document with the schemas renamed and every reference to them rewritten."""
    if not renames:
        return doc
    text = json.dumps(doc)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    for old, new in renames.items():
        schemas[new] = {**schemas.pop(old), "title": new}
    return renamed


def _add_problem_schemas(schemas: dict[str, Any]) -> None:
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in problem.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault("Problem", problem)


def _errors_it_can_give(path: str, method: str, operation: dict[str, Any], signed_in: bool) -> list[int]:
    if not signed_in:
        return []
    errors = [401, 403, 422, 503]
    if _RECORD_PARAMETER.search(path):
        errors.append(404)
    if method in WRITE_METHODS:
        errors.append(409)  # a unique or foreign-key constraint the rules did not foresee
    if "requestBody" in operation:
        errors.append(413)
    if _if_match(operation) is not None:
        errors.append(412)
    return errors


def _as_problem(response: dict[str, Any], status: int) -> None:
    """Every error is a Problem in application/problem+json; FastAPI's `model=` put it under JSON."""
    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
    if status in (429, 503):
        response.setdefault("headers", {}).update(_RETRY_AFTER)


def _if_match(operation: dict[str, Any]) -> dict[str, Any] | None:
    return next((p for p in operation.get("parameters", []) if p.get("name") == "If-Match"), None)


def _require_if_match(operation: dict[str, Any]) -> None:
    """Where a write without If-Match answers 428, the header is required, a plain string."""
    parameter = _if_match(operation)
    if parameter is None or "428" not in operation["responses"]:
        return
    parameter["required"] = True
    parameter["schema"] = {"type": "string", "pattern": ENTITY_TAGS, "examples": ['"3"']}
    parameter["description"] = "The ETag from your last read of the record; without it 428, stale 412"


def _record_schema(response: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1]) if ref else None


def _declare_etag(method: str, operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A record with a version is answered with its ETag (shared.concurrency); a read of it answers 304."""
    carries = False
    for status, response in operation["responses"].items():
        record = _record_schema(response, schemas) if status.startswith("2") else None
        if record is not None and "version" in record.get("properties", {}):
            response.setdefault("headers", {}).update(ETAG_HEADER)
            carries = True
    if carries and method == "get":
        operation["responses"]["304"] = {
            "description": "Not modified: the ETag in If-None-Match is still current",
            "headers": dict(ETAG_HEADER),
        }
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == "If-None-Match" for p in parameters):
            parameters.append(dict(IF_NONE_MATCH))


def _describe_access(operation: dict[str, Any]) -> None:
    """The access rule in words where readers of the rendered document see it (x-access is an extension)."""
    sentence = operation.get("x-access")
    if not sentence:
        return
    who = f"**Who may call it:** {sentence}."
    written = operation.get("description", "")
    if who not in written:
        operation["description"] = f"{written}\n\n{who}" if written else who


def _describe_success(method: str, operation: dict[str, Any]) -> None:
    for status, response in operation["responses"].items():
        if status.startswith("2") and response.get("description") in (None, "", "Successful Response"):
            response["description"] = _success_text(method, status, response)


def _success_text(method: str, status: str, response: dict[str, Any]) -> str:
    if status == "204":
        return "Done; nothing to answer"
    ref = next((c.get("schema", {}).get("$ref", "") for c in response.get("content", {}).values() if "schema" in c), "")
    thing = _words(ref.rsplit("/", 1)[-1]) if ref else "answer"
    if status == "201":
        return f"Created: the new {thing}"
    if method == "get":
        return f"The {thing}"
    if method == "delete":
        return f"Deleted: the {thing} as it stood"
    return f"Done: the {thing} as it now stands"


def _words(schema_name: str) -> str:
    """GoalRead → goal; ControlPlanSummaryPage → page of control plan summary."""
    name = schema_name.removesuffix("Read")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower().split()
    if words and words[-1] == "page" and len(words) > 1:
        return "page of " + " ".join(words[:-1]) + " records"
    return " ".join(words) or schema_name


def _drop_framework_keywords(node: Any) -> None:
    """pydantic's `ge` on a decimal string and the like are no JSON Schema; the server still checks them."""
    if isinstance(node, dict):
        if node.get("type") == "string":
            for keyword in _FRAMEWORK_KEYWORDS & node.keys():
                del node[keyword]
        for value in node.values():
            _drop_framework_keywords(value)
    elif isinstance(node, list):
        for value in node:
            _drop_framework_keywords(value)


def _only_keys_by_pattern(node: Any) -> None:
    """pydantic says a dict's keys by pattern as `patternProperties`, which lets any other key through with any
    value; the server refuses other keys, so the document says `propertyNames` and the value's schema for all."""
    if isinstance(node, dict):
        by_pattern = node.get("patternProperties")
        if (
            isinstance(by_pattern, dict)
            and len(by_pattern) == 1
            and not {"properties", "additionalProperties"} & node.keys()
        ):
            ((pattern, value),) = node.pop("patternProperties").items()
            node["propertyNames"] = {"pattern": pattern}
            node["additionalProperties"] = value
        for value in node.values():
            _only_keys_by_pattern(value)
    elif isinstance(node, list):
        for value in node:
            _only_keys_by_pattern(value)
