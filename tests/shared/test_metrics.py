"""Every app's metrics, read as Prometheus reads them: from the app's metrics port, never through the gateway."""

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.metrics import statement_operation

METRICS_ON_A_FREE_PORT = {"metrics_port": 0, "metrics_address": "127.0.0.1"}
READER = ("r", "RS:reader")


@pytest.fixture
def gateway_overrides():
    return METRICS_ON_A_FREE_PORT


@pytest.fixture
def service_overrides():
    return METRICS_ON_A_FREE_PORT


async def scrape(stack, app: str) -> dict[str, list]:
    """The app's samples by name, read over HTTP from the port its settings opened."""
    port = stack.apps[app].state.observed.listener.port
    response = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert response.status_code == 200
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def labelled(samples: list, **labels: str) -> list:
    return [s for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]


async def test_each_app_counts_its_requests_by_route_template_on_its_metrics_port(seeded):
    reader = seeded.auth(*READER)
    assert (await seeded.client.get("/api/goals/units/HSN", headers=reader)).status_code == 200
    assert (await seeded.client.get("/api/goals/units/NOSUCH", headers=reader)).status_code == 404
    assert (await seeded.client.get("/api/budget/frames", headers=reader)).status_code == 200
    assert (await seeded.client.get("/api/audit/reports", headers=reader)).status_code == 200
    assert (await seeded.client.get("/no/such/page")).status_code == 404

    goals = await scrape(seeded, "goals")
    requests = goals["styr_http_requests_total"]
    assert labelled(requests, app="goals", route="/units/{code}", method="GET", status="200")[0].value == 1
    assert labelled(requests, app="goals", route="/units/{code}", method="GET", status="404")[0].value == 1
    assert not [s for s in requests if "HSN" in s.labels["route"] or "NOSUCH" in s.labels["route"]]
    assert labelled(goals["styr_http_request_duration_seconds_count"], route="/units/{code}", method="GET")
    assert labelled(goals["styr_http_requests_in_flight"], app="goals")
    assert labelled(goals["styr_db_statement_duration_seconds_count"], operation="select")[0].value > 0
    assert {s.labels["state"] for s in goals["styr_db_pool_connections"]} == {"in_use", "idle"}

    for app, route in (("budget", "/frames"), ("audit", "/reports")):
        samples = await scrape(seeded, app)
        assert labelled(samples["styr_http_requests_total"], app=app, route=route, status="200"), app
        assert samples["styr_db_statement_duration_seconds_count"], app

    gateway = await scrape(seeded, "gateway")
    forwarded = labelled(gateway["styr_http_requests_total"], app="gateway", route="/api/{service}/{path:path}")
    assert sum(s.value for s in forwarded) == 4
    assert labelled(gateway["styr_http_requests_total"], route="unmatched", status="404")[0].value == 1
    for peer in ("goals", "budget", "audit"):
        assert labelled(gateway["styr_peer_request_duration_seconds_count"], peer=peer)[0].value >= 1, peer
    assert "styr_document_queue" in gateway


async def test_a_peer_that_cannot_be_reached_is_counted_as_an_error_of_that_peer(seeded):
    seeded.transport.down.add("budget")
    assert (await seeded.client.get("/api/budget/frames", headers=seeded.auth(*READER))).status_code == 503
    gateway = await scrape(seeded, "gateway")
    assert labelled(gateway["styr_peer_request_errors_total"], peer="budget", reason="unreachable")[0].value == 1


async def test_an_import_counts_its_rows_and_problems(seeded):
    headers = {**seeded.auth("f", "finance"), "Content-Type": "text/csv"}
    body = "unit;account;month;amount\nHSN;4010;2024-01;abc\n"
    response = await seeded.client.post(
        "/api/budget/imports/ledger?dry_run=true", content=body.encode(), headers=headers
    )
    assert response.status_code == 200, response.text
    problems = len(response.json()["problems"])
    assert problems >= 1
    samples = await scrape(seeded, "budget")
    assert labelled(samples["styr_imports_total"], app="budget", result="dry_run")[0].value == 1
    assert labelled(samples["styr_import_rows_total"], outcome="read")[0].value == response.json()["read"]
    assert samples["styr_import_problems_total"][0].value == problems


async def test_metrics_are_not_served_through_the_public_gateway(seeded):
    reader = seeded.auth(*READER)
    # The services have no /metrics on their own port either, so none can be reached through the gateway.
    for path in ("/metrics", "/api/goals/metrics"):
        response = await seeded.client.get(path, headers=reader)
        assert response.status_code == 404, path
        assert "styr_http_requests" not in response.text


def test_a_statement_is_counted_under_its_sql_verb_and_anything_else_as_other():
    assert statement_operation("  SELECT 1") == "select"
    assert statement_operation("insert into x values (1)") == "insert"
    assert statement_operation("PRAGMA foreign_keys=ON") == "other"
    assert statement_operation("") == "other"
