"""One OpenAPI document covers every operation of every service, with the auth scheme declared."""

from collections import Counter

from services.audit.app import create_app as audit_app
from services.budget.app import create_app as budget_app
from services.goals.app import create_app as goals_app
from shared.auth.access import GrantKind, Rule


def _only_the_gateway_calls(operation):
    return all(grant["grant"] == GrantKind.gateway for grant in operation["x-access-rule"]["any_of"])


async def test_the_combined_document_holds_every_service_operation(stack):
    doc = await stack.document()
    left_out = []
    for prefix, factory in (("goals", goals_app), ("budget", budget_app), ("audit", audit_app)):
        own = factory(configure_logs=False).openapi()
        for path, item in own["paths"].items():
            if path in ("/healthz", "/readyz"):
                continue
            public = {method for method, operation in item.items() if not _only_the_gateway_calls(operation)}
            left_out += [item[method]["operationId"] for method in set(item) - public]
            if not public:
                assert f"/api/{prefix}{path}" not in doc["paths"]
                continue
            combined = doc["paths"][f"/api/{prefix}{path}"]
            assert public == set(combined)
            for operation in combined.values():
                assert operation["security"] == [{"bearerAuth": []}]
                assert "x-access" in operation, f"{path} declares no access rule"
                assert Rule.from_json(operation["x-access-rule"]).sentence() == operation["x-access"]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # What the gateway alone calls, acting for a registrar it has checked, and what the reminder job asks,
    # is no part of the public API.
    assert sorted(left_out) == [
        "claim_reminders",
        "list_peoples_audit_tasks",
        "list_peoples_budget_tasks",
        "list_peoples_goals_tasks",
        "prune_reminder_claims",
        "record_reminder_outcomes",
        "store_report_completion",
    ]


async def test_operation_ids_are_unique_and_readable(stack):
    doc = await stack.document()
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all("_api_" not in i for i in ids)


async def test_every_ref_resolves(stack):
    doc = await stack.document()
    text = str(doc)
    schemas = doc["components"]["schemas"]
    import re

    refs = set(re.findall(r"#/components/schemas/([A-Za-z0-9_.\-]+)", text))
    assert refs - set(schemas) == set()


async def test_docs_page_is_served(stack):
    response = await stack.client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text
    # The page's scripts come from the gateway itself, so it works without internet access.
    assert "cdn." not in response.text
    script = await stack.client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


async def test_a_missing_service_leaves_a_note_instead_of_failing(stack):
    stack.transport.down.add("budget")
    doc = (await stack.client.get("/openapi.json")).json()  # not stack.document(), which is of the whole stack
    assert "budget" in doc["info"]["description"]
    assert not any(p.startswith("/api/budget/") for p in doc["paths"])
