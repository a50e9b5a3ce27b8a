"""Every date a caller sends is taken exactly as the document says: `format: date` with the day pattern
(YYYY-MM-DD, 1990–2100), and nothing else.

pydantic's own `date` also reads a JSON number, or a string of digits, as a Unix time, and takes any year; a
date input typed plainly `date` rather than `shared.fields.Day` would. The date inputs are found by walking the
served document (query, path and header parameters and request bodies, through references, unions, nested
objects and lists), so one added later is checked here without being named.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.fields import DAY_PATTERN
from shared.openapi import operations

# 2024-06-30 as a Unix time: what a plain pydantic date takes as a number or as a string of digits.
UNIX_TIME = 1_719_705_600
# Each wrong form of a date, as sent in a JSON body and in a parameter (a parameter is always text).
REFUSED = {
    "a number": (UNIX_TIME, str(UNIX_TIME)),
    "a string of digits": (str(UNIX_TIME), str(UNIX_TIME)),
    "the basic ISO form": ("20240630", "20240630"),
    "a year past the pattern": ("2101-01-01", "2101-01-01"),
}
TAKEN = "2024-06-30"
# Allowed every operation, so that no guard answers 403 before the request is validated.
CALLER = ("dates", "admin", "finance", "auditor", "RF:registrar")

Loc = tuple[str | int, ...]


def _resolved(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _days_in(doc: dict[str, Any], schema: dict[str, Any], at: Loc, seen: frozenset[str]) -> Iterator[tuple[Loc, Any]]:
    """Each date in `schema` (with its own schema): where it sits, `0` standing for a list's first item."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return
        seen |= {name}
    schema = _resolved(doc, schema)
    if schema.get("format") == "date":
        yield at, schema
    for union in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(union, []):
            yield from _days_in(doc, part, at, seen)
    for name, field in schema.get("properties", {}).items():
        yield from _days_in(doc, field, (*at, name), seen)
    if isinstance(schema.get("items"), dict):
        yield from _days_in(doc, schema["items"], (*at, 0), seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _days_in(doc, schema["additionalProperties"], (*at, "key"), seen)


def date_inputs(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], list[tuple[Loc, Any]]]]:
    """Every operation taking a date from its caller, with each date's location (as errors name it) and schema."""
    found = []
    for path, method, operation in operations(doc):
        days = [
            ((parameter["in"], parameter["name"], *loc), schema)
            for parameter in operation.get("parameters", [])
            for loc, schema in _days_in(doc, parameter.get("schema", {}), (), frozenset())
        ]
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            for loc, schema in _days_in(doc, media.get("schema", {}), (), frozenset()):
                assert media_type == "application/json", f"{method} {path}: a date in {media_type}, teach this test"
                days.append((("body", *loc), schema))
        if days:
            found.append((path, method, operation, days))
    return found


def _broken_path(path: str, operation: dict[str, Any]) -> str:
    """The path with each parameter refused by its own schema: then no dependency loads a record (which could
    answer 404 first), and the request's other parts are still validated and their errors reported together."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        schema = parameter["schema"]
        if schema.get("format") == "uuid" or schema.get("type") == "integer":
            wrong = "not-a-number-or-id"
        elif "maxLength" in schema:
            wrong = "X" * (schema["maxLength"] + 1)
        else:
            raise AssertionError(f"{path}: cannot send a {parameter['name']} its schema refuses; teach this test")
        path = path.replace("{" + parameter["name"] + "}", wrong)
    return path


def _placed(body: Any, loc: Loc, value: Any) -> Any:
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(head, int):
        return [_placed(body[0] if isinstance(body, list) and body else None, rest, value)]
    body = body if isinstance(body, dict) else {}
    return {**body, head: _placed(body.get(head), rest, value)}


async def _errors_at(stack: Any, path: str, method: str, operation: dict[str, Any], days: list[Any], sent: Any) -> Any:
    """The request with every date of the operation given `sent` (as body value, as parameter text): its status
    and the locations its 422 names."""
    in_body, as_text = sent
    params: dict[str, str] = {}
    headers = stack.auth(*CALLER)
    body: Any = None
    for loc, _ in days:
        where, rest = loc[0], loc[1:]
        if where == "body":
            body = _placed(body, rest, in_body)
        elif where == "query":
            params[str(rest[0])] = as_text
        elif where == "header":
            headers[str(rest[0])] = as_text
        else:
            raise AssertionError(f"{method} {path}: a date in the {where}; teach this test")
    answer = await stack.client.request(
        method.upper(), _broken_path(path, operation), params=params, headers=headers, json=body
    )
    if answer.status_code != 422:
        return answer.status_code, set()
    return 422, {tuple(error["loc"]) for error in answer.json().get("errors", [])}


async def test_every_date_a_caller_sends_is_taken_only_as_the_document_says(seeded):
    # The demo data: some operations ask the goals service for the council before the body is read.
    stack = seeded
    doc = await stack.document()
    found = date_inputs(doc)
    # The inputs the services and the gateway take today (bodies and as_of); more may come, none may go unseen.
    assert len(found) > 50
    seen = {loc for _, _, _, days in found for loc, _ in days}
    assert {
        ("query", "as_of"),
        ("body", "decision", "decided_on"),
        ("body", "recommendations", 0, "response_due_on"),
    } <= seen
    wrong = []
    for path, method, operation, days in found:
        for loc, schema in days:
            if schema.get("pattern") != DAY_PATTERN:
                wrong.append(f"{method} {path} {loc}: documented without the day pattern: {schema}")
        for form, sent in REFUSED.items():
            status, named = await _errors_at(stack, path, method, operation, days, sent)
            taken = [loc for loc, _ in days if loc not in named]
            if status != 422 or taken:
                wrong.append(f"{method} {path}: {form} {sent[0]!r} taken at {taken} (answer {status})")
        status, named = await _errors_at(stack, path, method, operation, days, (TAKEN, TAKEN))
        refused = [loc for loc, _ in days if loc in named]
        if refused:
            wrong.append(f"{method} {path}: the valid {TAKEN} refused at {refused}")
    assert not wrong, "\n".join(wrong)
