"""Property-based testing of every operation in the gateway's OpenAPI document, with schemathesis.

Each operation gets valid and invalid requests generated from its own schema, sent through the
gateway to the services (the in-process stack, with the demo data), as an admin and as a reader.
Every answer must be below 500 and must match what the document says the operation answers; the
document and the server's validation must agree: invalid data is refused with a 4xx, and valid data
is never refused for its fields. Path parameters often name real records of the demo data (and
writes then carry the record's ETag), so the generated calls reach past the 404 into the rules.
Then the stateful phase follows the document's links (create a record, read it, change it with the
ETag it read) for a few short scenarios.

`STYR_FUZZ_EXAMPLES` sets the examples per operation and role, `STYR_FUZZ_SCENARIOS` the stateful
scenarios (a few in `make test`, many in `make fuzz`).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection, response_schema_conformance

from shared.errors import FIELD_ERRORS_DETAIL
from shared.fields import EARLIEST_DAY, LATEST_DAY
from tests.reliability.background import BackgroundStack, background_stack

EXAMPLES = int(os.environ.get("STYR_FUZZ_EXAMPLES", "4"))
SCENARIOS = int(os.environ.get("STYR_FUZZ_SCENARIOS", "15"))
STEPS = 6
SHRINK = os.environ.get("STYR_FUZZ_SHRINK", "") == "1"
# In `make test` the examples are the same every run, so CI is repeatable; `make fuzz` (which shrinks)
# draws new ones each time to find what the fixed set does not.
DERANDOMIZE = not SHRINK
# At length (`make fuzz`) a role's run takes far longer than the suite's ten minutes a test.
pytestmark = pytest.mark.timeout(0 if SHRINK else 600)
ROLES = {"admin": ("admin",), "reader": ("RS:reader",)}
YEARS = [2022, 2023, 2024, 2025]
# Data that breaks the operation's schema is refused with any 4xx (a 404 or 409 may come before the body is read).
# Days are drawn from the years the document's day pattern allows, not filtered out of ten thousand years.
schemathesis.openapi.format("date", st.dates(EARLIEST_DAY, LATEST_DAY).map(date.isoformat))
CONFIG = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": ["4xx"]}}})
PARAMETER = re.compile(r"\{(\w+)\}")
UNIT_CODE_PARAMETERS = {"code", "unit_code", "body_code"}


@pytest.fixture(scope="module")
def target(database_urls: dict[str, str], snapshots: Any) -> Iterator[BackgroundStack]:
    with background_stack(database_urls, snapshots, "seeded") as running:
        yield running


def positive_data_passes_validation(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """Data generated from an operation's own schema passes the server's validation of fields: a 422 naming
    fields means the document allows what the server refuses. Rules no schema can say (an unknown unit, an end
    before a start) answer 422 in words of their own and are not counted."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return
    problem = response.json()
    if problem.get("detail") != FIELD_ERRORS_DETAIL:
        return
    # A rule across the body's fields (an end before its start) is the model's, in words; not a field's schema.
    fields = [error for error in problem.get("errors", []) if error["loc"] != ["body"]]
    if fields:
        raise AssertionError(f"Valid data refused for its fields: {fields}")


def _only_unknown_parameters_beside_the_body(case: schemathesis.Case) -> bool:
    """Whether every negation beside the body's only adds parameters the operation does not declare, which
    the server ignores, as schemathesis itself allows when nothing else is negated."""
    assert case.meta is not None
    negated = {location for location, part in case.meta.components.items() if part.mode.is_negative}
    if negated == {ParameterLocation.BODY}:
        return True
    mutations = getattr(case.meta.phase.data, "mutations", None)
    if not mutations:
        return False  # nothing says how the other parts were broken: held against the server
    beside = [m for m in mutations if m.parameter_location is not ParameterLocation.BODY]
    return all(set(m.keywords) == {"additionalProperties"} for m in beside)


def negation_reaches_the_server(case: schemathesis.Case) -> bool:
    """Whether what schemathesis broke on purpose is still broken as sent. A text body is a string whatever value
    was drawn for it: `null` for a tab-separated file goes out as the text "null", a file the server reads (and
    a dry run reports on, 200). schemathesis makes this exception for text/plain only; every text/* is the same.
    Unknown query parameters beside such a body break nothing either (found at length: a measures file drawn
    as an array, sent as its text, with parameters the operation does not name)."""
    if case.meta is None:
        return True
    sent_as_text = (case.media_type or "").split(";")[0].strip().lower().startswith("text/")
    if not sent_as_text or isinstance(case.body, str):
        return True
    return not _only_unknown_parameters_beside_the_body(case)


def negative_data_refused(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """schemathesis' negative_data_rejection, for the negations that reach the server."""
    if not negation_reaches_the_server(case):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [not_a_server_error, response_schema_conformance, negative_data_refused, positive_data_passes_validation]


@pytest.mark.parametrize(
    ("negated", "media_type", "body", "reaches"),
    [
        # Found at length: `null` drawn for the measures file went out as the text "null", which a dry run reports on.
        ({ParameterLocation.BODY}, "text/tab-separated-values", None, False),
        ({ParameterLocation.BODY}, "text/tab-separated-values", "a\tb", True),
        ({ParameterLocation.BODY}, "application/json", None, True),
        ({ParameterLocation.BODY, ParameterLocation.QUERY}, "text/tab-separated-values", None, True),
    ],
)
def test_a_negation_a_text_body_cannot_carry_is_not_held_against_the_server(
    negated: set[ParameterLocation], media_type: str, body: Any, reaches: bool
) -> None:
    assert negation_reaches_the_server(_case(negated, media_type, body)) is reaches  # type: ignore[arg-type]


def _case(negated: set[ParameterLocation], media_type: str, body: Any, mutations: tuple[Any, ...] = ()) -> Any:
    mode = {True: schemathesis.GenerationMode.NEGATIVE, False: schemathesis.GenerationMode.POSITIVE}
    components = {location: SimpleNamespace(mode=mode[location in negated]) for location in ParameterLocation}
    phase = SimpleNamespace(data=SimpleNamespace(mutations=mutations))
    return SimpleNamespace(meta=SimpleNamespace(components=components, phase=phase), media_type=media_type, body=body)


def _mutation(location: ParameterLocation, *keywords: str) -> SimpleNamespace:
    return SimpleNamespace(parameter_location=location, keywords=keywords)


@pytest.mark.parametrize(
    ("query_keywords", "reaches"),
    [
        # Found at length: an array drawn for the measures file, sent as its text, and unknown query parameters.
        (("additionalProperties",), False),
        (("type",), True),
        (("additionalProperties", "pattern"), True),
    ],
)
def test_unknown_query_parameters_beside_a_text_body_are_not_held_against_the_server(
    query_keywords: tuple[str, ...], reaches: bool
) -> None:
    body, query = ParameterLocation.BODY, ParameterLocation.QUERY
    mutations = (_mutation(body, "type"), _mutation(query, *query_keywords))
    case = _case({body, query}, "text/tab-separated-values", [{}], mutations)
    assert negation_reaches_the_server(case) is reaches


def auth(target: BackgroundStack, role: str) -> dict[str, str]:
    return target.stack.auth(f"fuzz-{role}", *ROLES[role], name=f"Fuzz {role}")


def known_values(target: BackgroundStack, document: dict[str, Any]) -> dict[tuple[str, str], list[Any]]:
    """Real values for path parameters, by (path template, parameter): ids from each record's list."""
    admin = auth(target, "admin")
    lists: dict[str, list[Any]] = {}

    def ids_listed_at(path: str) -> list[Any]:
        if path not in lists:
            response = target.request("GET", path, params={"limit": 500}, headers=admin)
            body = response.json() if response.status_code == 200 else {}
            items = body.get("items", []) if isinstance(body, dict) else []
            lists[path] = [item["id"] for item in items if isinstance(item, dict) and "id" in item]
        return lists[path]

    units = target.request("GET", "/api/goals/units", params={"limit": 500}, headers=admin).json()["items"]
    unit_codes = [unit["code"] for unit in units]
    values: dict[tuple[str, str], list[Any]] = {}
    for path in document["paths"]:
        for name in PARAMETER.findall(path):
            if name in UNIT_CODE_PARAMETERS:
                values[path, name] = unit_codes
            elif name == "year":
                values[path, name] = YEARS
            elif name.endswith("_id"):
                found = ids_listed_at(path.split("/{" + name + "}")[0])
                if found:
                    values[path, name] = found
    return values


def as_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis' request arguments (made for requests) as httpx takes them."""
    request = {key: kwargs[key] for key in ("method", "url", "headers", "params") if kwargs.get(key) is not None}
    if "headers" in request:
        # httpx sends only ASCII text in a header; what schemathesis makes beyond it goes out as UTF-8 bytes, as
        # a careless client would send it, for the server to refuse.
        request["headers"] = {
            name: value.encode() if isinstance(value, str) and not value.isascii() else value
            for name, value in request["headers"].items()
        }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, str | bytes):
        request["content"] = data
    elif data is not None:
        request["data"] = data
    return request


def negative_at(case: schemathesis.Case, location: ParameterLocation) -> bool:
    """Whether schemathesis broke this part of the request on purpose: then it goes out as generated."""
    return case.meta is not None and case.meta.is_negative_at(location)


def sent(target: BackgroundStack, case: schemathesis.Case) -> httpx.Response:
    try:
        return target.request(**as_httpx(case.as_transport_kwargs(base_url="http://gateway")))
    except httpx.InvalidURL:
        # A URL beyond what httpx will send (a component over 64 KiB): not a request the server can be sent here.
        hypothesis.reject()


def send(target: BackgroundStack, case: schemathesis.Case, role: str, use_etag: bool) -> int:
    if not negative_at(case, ParameterLocation.HEADER):
        headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}
        headers.update(auth(target, role))
        if use_etag and case.method.upper() in {"PATCH", "PUT", "DELETE"}:
            current = target.request("GET", case.formatted_path, headers=auth(target, "admin"))
            if "etag" in current.headers:
                headers["If-Match"] = current.headers["etag"]
        case.headers = headers
    response = sent(target, case)
    case.validate_response(response, checks=CHECKS)
    return response.status_code


def fuzz_operation(
    target: BackgroundStack, operation: Any, role: str, real: dict[tuple[str, str], list[Any]], statuses: Counter[int]
) -> None:
    """Run one operation's examples; raises on the first answer that breaks a check."""
    cases = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )
    phases = [hypothesis.Phase.explicit, hypothesis.Phase.generate]
    if SHRINK:
        phases.append(hypothesis.Phase.shrink)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=DERANDOMIZE,
        deadline=None,
        database=None,
        phases=phases,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(data=st.data())
    def examples(data: st.DataObject) -> None:
        case = data.draw(cases)
        use_real = (
            bool(case.path_parameters) and not negative_at(case, ParameterLocation.PATH) and data.draw(st.booleans())
        )
        if use_real:
            for name in list(case.path_parameters):
                choices = real.get((operation.path, name))
                if choices:
                    case.path_parameters[name] = data.draw(st.sampled_from(choices))
        statuses[send(target, case, role, use_real)] += 1

    examples()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_answers_below_500_and_as_documented(target: BackgroundStack, role: str) -> None:
    document = target.request("GET", "/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    real = known_values(target, document)
    failures = []
    operations = 0
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            fuzz_operation(target, operation, role, real, statuses)
        # Every failing operation is reported, not only the first (schemathesis' group is no Exception).
        except (Exception, FailureGroup) as exc:
            failures.append(f"--- {operation.label}\n{exc}")
            print(failures[-1], flush=True)  # noqa: T201 (with -s, as found: a run at length is long)
    print(f"{role}: {operations} operations, answers by status: {dict(sorted(statuses.items()))}")  # noqa: T201 (shown with -s)
    assert operations > 150
    # The generated calls reach real records: successful answers, not only refusals and 404s.
    successes = sum(n for status, n in statuses.items() if 200 <= status < 300)
    assert successes > operations // 4
    assert not failures, f"{len(failures)} operations failed:\n" + "\n".join(failures)


def test_linked_operations_followed_in_sequence(target: BackgroundStack) -> None:
    """The stateful phase: scenarios of a few steps along the document's links, as an admin."""
    document = target.request("GET", "/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    links = sum(
        len(answer.get("links", {}))
        for item in document["paths"].values()
        for op in item.values()
        for answer in op["responses"].values()
    )
    assert links > 50
    steps: Counter[int] = Counter()

    class ThroughTheGateway(schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: schemathesis.Case, **kwargs: Any) -> schemathesis.Response:
            if not negative_at(case, ParameterLocation.HEADER):
                headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
                case.headers = {**headers, **auth(target, "admin")}
            response = sent(target, case)
            steps[response.status_code] += 1
            return schemathesis.Response.from_any(response)

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    ThroughTheGateway.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            derandomize=DERANDOMIZE,
            deadline=None,
            database=None,
            phases=[hypothesis.Phase.generate, *([hypothesis.Phase.shrink] if SHRINK else [])],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    print(f"stateful: answers by status: {dict(sorted(steps.items()))}")  # noqa: T201 (shown with -s)
    assert sum(n for status, n in steps.items() if 200 <= status < 300) > 0
