"""Inputs and situations a reviewer used to break the stack: each must be a clear 4xx, or hold."""

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import select, text

from services.goals.models import OrgUnit
from shared.app import create_service_app
from shared.auth.deps import DbSession
from shared.errors import Unprocessable
from shared.settings import ServiceSettings

READER = ("r", "RS:reader")


@pytest.mark.parametrize("path", ["/api/goals/units/%00", "/api/goals/units/%FF%FE", "/api/goals/units/a%2Fb"])
async def test_odd_encoded_paths_are_4xx_not_500(seeded, path):
    response = await seeded.client.get(path, headers=seeded.auth(*READER))
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_encoded_question_mark_stays_in_the_path(seeded):
    response = await seeded.client.get("/api/goals/units/HSN%3Flimit=1", headers=seeded.auth(*READER))
    assert response.status_code == 404  # a unit called "HSN?limit=1", not HSN with a query


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/budget/frames", {"unit_code": "HSN", "year": 2030, "last_year_frame": "1.00", "comment": "a\u0000b"}),
        ("/api/goals/units", {"code": "NUL", "name": "a\u0000b", "kind": "unit", "parent_code": "HSF"}),
    ],
)
async def test_a_nul_character_is_422_on_every_database(seeded, path, body):
    response = await seeded.client.post(path, json=body, headers=seeded.auth("x", "finance", "admin"))
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize("amount", [1234567890123456.78, 1.5, 0.1])
async def test_money_as_a_json_float_is_refused_rather_than_rounded(seeded, amount):
    response = await seeded.client.post(
        "/api/budget/frames",
        json={"unit_code": "HSN", "year": 2031, "last_year_frame": amount},
        headers=seeded.auth("f", "finance"),
    )
    assert response.status_code == 422
    assert "string" in response.json()["errors"][0]["msg"]


# A whole JSON number or spaces around the digits are refused, as documented (tests/shared/test_decimal_fields.py).
@pytest.mark.parametrize(("sent", "stored"), [("100", "100.00"), ("1.5", "1.50"), ("-0.5", "-0.50"), ("7.25", "7.25")])
async def test_money_always_comes_back_with_two_decimals(seeded, sent, stored):
    response = await seeded.client.post(
        "/api/budget/frames",
        json={"unit_code": "RUN", "year": 2032, "last_year_frame": sent},
        headers=seeded.auth("f", "finance"),
    )
    assert response.status_code == 201
    assert response.json()["amount"] == stored


async def test_a_client_scope_is_not_a_read_role(seeded):
    headers = seeded.auth("robot", client=True, scopes=["something:else"])
    for path in ("/api/goals/units", "/api/audit/reports", "/api/budget/frames"):
        assert (await seeded.client.get(path, headers=headers)).status_code == 403, path
    decided_reader = seeded.auth("robot", client=True, scopes=["read:decided"])
    frames = (await seeded.client.get("/api/budget/frames", headers=decided_reader)).json()["items"]
    assert frames
    assert {f["status"] for f in frames} == {"decided", "revised"}  # decided versions; no proposal


async def test_draft_values_do_not_leak_through_history_once_decided(seeded):
    finance = seeded.auth("f", "finance")
    created = await seeded.client.post(
        "/api/budget/frames", headers=finance, json={"unit_code": "HSN", "year": 2033, "last_year_frame": "999.00"}
    )
    changed = await seeded.client.patch(
        f"/api/budget/frames/{created.json()['id']}",
        json={"last_year_frame": "500.00"},
        headers={**finance, "If-Match": created.headers["etag"]},
    )
    decided = await seeded.client.post(
        f"/api/budget/frames/{created.json()['id']}/decision",
        json={"decided_by": "RF", "decided_on": "2032-06-20", "paragraph": "§ 7"},
        headers={**finance, "If-Match": changed.headers["etag"]},
    )
    assert decided.status_code == 200
    url = f"/api/budget/frames/{created.json()['id']}/history"
    public = (await seeded.client.get(url, headers=seeded.auth("r", "RUN:reader"))).json()
    assert [e["action"] for e in public["items"]] == ["update"]
    assert public["items"][0]["before"] is None
    assert public["items"][0]["after"]["amount"] == "500.00"
    assert "999.00" not in str(public)
    full = (await seeded.client.get(url, headers=seeded.auth("h", "HSN:reader"))).json()
    assert full["total"] == 3


async def test_a_cycle_written_past_the_api_does_not_hang_the_tree(seeded):
    async with seeded.apps["goals"].state.sessionmaker() as session:
        hsf = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HSF"))
        # Point HSN at its own administration, as a bad manual edit might.
        await session.execute(OrgUnit.__table__.update().where(OrgUnit.code == "HSN").values(parent_id=hsf))
        await session.commit()
    response = await seeded.client.get("/api/goals/units/tree", headers=seeded.auth(*READER))
    assert response.status_code == 200


async def test_unprocessable_lists_the_field_in_errors(seeded):
    response = await seeded.client.post(
        "/api/goals/units",
        headers=seeded.auth("a", "admin"),
        json={"code": "X", "name": "X", "kind": "unit", "parent_code": "NOPE"},
    )
    assert response.json()["errors"] == [
        {"loc": ["body", "parent_code"], "msg": response.json()["detail"], "type": "value_error"}
    ]


async def test_a_failed_request_rolls_back_at_once(database_urls, tmp_path):
    """A write that fails after flushing must release its transaction before the next request,
    or SQLite's write lock stays taken until garbage collection."""
    from shared.auth.policy import Principal, RegionRole
    from shared.auth.tokens import mint_internal_token
    from shared.settings import DEV_SECRET

    router = APIRouter()
    sessions = []

    @router.post("/fail")
    async def fail(session: DbSession) -> None:
        sessions.append(session)
        session.add(OrgUnit(code="TMP", name="Temp", kind="unit"))
        await session.flush()
        raise Unprocessable("after a flush")

    @router.post("/write")
    async def write(session: DbSession) -> None:
        session.add(OrgUnit(code="TMP2", name="Temp", kind="unit"))
        await session.flush()

    settings = ServiceSettings(service_name="t", database_url=database_urls["goals"], profile="development")
    app = create_service_app(title="t", description="t", settings=settings, routers=[router], configure_logs=False)
    token = mint_internal_token(Principal("a", "A", region_roles=frozenset({RegionRole.admin})), DEV_SECRET, 60)
    headers = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=3) as client:
            assert (await client.post("/fail", headers=headers)).status_code == 422
            assert not sessions[0].in_transaction(), "the failed request's transaction is still open"
            assert (await client.post("/write", headers=headers)).status_code == 200
        async with app.state.sessionmaker() as session:
            codes = set(await session.scalars(text("SELECT code FROM org_unit WHERE code LIKE 'TMP%'")))
            await session.execute(text("DELETE FROM org_unit WHERE code LIKE 'TMP%'"))
            await session.commit()
    assert codes == {"TMP2"}


async def test_a_nul_in_the_query_is_422(seeded):
    response = await seeded.client.get("/api/goals/goals?unit=HS%00N", headers=seeded.auth(*READER))
    assert response.status_code == 422
