"""One service made unavailable under load, and back: the gateway answers its requests with 503
problem details within its timeout, the other services keep answering, and afterwards everything
answers again with nothing lost. The in-process stack here; real processes in test_processes.py."""

import time

from tests.reliability.load import READS, Load

TIMEOUT_SECONDS = 5  # the gateway's service timeout in the test stack (tests/conftest.py)


async def test_a_service_down_under_load_is_503_and_the_others_keep_answering(seeded):
    editor = seeded.auth("e", "RS:editor")
    auditor = seeded.auth("a", "auditor")
    action = (await seeded.client.get("/api/audit/actions", headers=auditor)).json()["items"][0]
    note = await seeded.client.post(
        f"/api/audit/actions/{action['id']}/notes",
        headers=seeded.auth("e", f"{action['body_code']}:editor"),
        json={"noted_on": "2022-09-01", "text": "Skrivet före avbrottet"},
    )
    assert note.status_code in (200, 201), note.text
    load = Load(lambda path: seeded.client.get(path, headers=editor))
    marks: dict[str, float] = {}

    async def audit_goes_down_and_back() -> None:
        await load.wait_for(3, *READS)
        marks["down"] = time.monotonic()
        seeded.transport.down.add("audit")
        await load.wait_for(5, *READS, after=marks["down"])
        seeded.transport.down.discard("audit")
        marks["up"] = time.monotonic()
        await load.wait_for(5, *READS, after=marks["up"])

    await load.run_while(4, audit_goes_down_and_back())

    # A request started just before the service came back may reach it after it did.
    while_down = load.of("audit", marks["down"])[:5]
    assert while_down
    assert {(a.status, a.code) for a in while_down} <= {(503, "service-unavailable")}
    assert {a.status for a in load.of("audit", after=marks["up"])} == {200}
    assert {a.status for a in load.of("audit") if a.started + a.seconds < marks["down"]} == {200}
    for service in ("goals", "budget"):
        assert load.of(service, marks["down"], marks["up"])
        assert {a.status for a in load.of(service)} == {200}
    assert max(a.seconds for a in load.answers) < TIMEOUT_SECONDS
    after = (await seeded.client.get(f"/api/audit/actions/{action['id']}", headers=auditor)).json()
    assert "Skrivet före avbrottet" in [n["text"] for n in after["progress_notes"]]
