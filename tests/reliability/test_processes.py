"""A real service process stopped and started again under load, behind a real gateway process: its
requests are 503 problem details within the gateway's timeout, the other services keep answering,
and after the restart everything answers again with nothing lost."""

import asyncio
import time

import httpx

from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET
from tests.reliability.load import READS, Load
from tests.reliability.processes import processes

TIMEOUT_SECONDS = 5


def auth(sub: str, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(DEV_SECRET, subject=sub, roles=roles)}"}


async def test_a_stopped_service_process_is_503_and_comes_back_with_its_data(database_urls, snapshots):
    await snapshots.restore("seeded")
    with processes(database_urls, GATEWAY_SERVICE_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS)) as running:
        async with httpx.AsyncClient(base_url=running.gateway_url, timeout=30) as client:
            editor = auth("e", "HSN:editor")
            made = await client.post(
                "/api/budget/forecasts",
                headers=editor,
                json={"unit_code": "HSN", "year": 2026, "follow_up": "T1", "amount": "4815300000.05"},
            )
            assert made.status_code == 201, made.text
            load = Load(lambda path: client.get(path, headers=auth("r", "RS:reader")))
            marks: dict[str, float] = {}

            async def budget_stops_and_starts() -> None:
                await load.wait_for(3, *READS)
                marks["stop"] = time.monotonic()
                await asyncio.to_thread(running.stop, "budget")
                marks["stopped"] = time.monotonic()
                await load.wait_for(5, *READS, after=marks["stopped"])
                marks["start"] = time.monotonic()
                await asyncio.to_thread(running.start, "budget")
                marks["started"] = time.monotonic()
                await load.wait_for(5, *READS, after=marks["started"])

            await load.run_while(4, budget_stops_and_starts())

            while_stopped = load.of("budget", marks["stopped"], marks["start"])
            assert while_stopped
            assert {(a.status, a.code) for a in while_stopped} == {(503, "service-unavailable")}
            assert {a.status for a in load.of("budget", after=marks["started"])} == {200}
            assert {a.status for a in load.of("budget") if a.started + a.seconds < marks["stop"]} == {200}
            for service in ("goals", "audit"):
                assert load.of(service, marks["stopped"], marks["start"])
                assert {a.status for a in load.of(service)} == {200}, service
            # Nothing hangs: every answer within the gateway's timeout (and a margin for a loaded machine).
            assert max(a.seconds for a in load.answers) < TIMEOUT_SECONDS + 2
            assert {a.status for a in load.answers} <= {200, 503}
            forecast = await client.get(f"/api/budget/forecasts/{made.json()['id']}", headers=editor)
            assert forecast.json()["amount"] == "4815300000.05"
