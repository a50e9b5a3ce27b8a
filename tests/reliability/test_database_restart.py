"""PostgreSQL restarted under load: the services reconnect by themselves (pool_pre_ping), with no
restart of their own, and nothing written before is lost."""

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.load import READS, Load

DATA = os.environ.get("STYR_TEST_POSTGRES_DATA")
PG_CTL = os.environ.get("STYR_TEST_PG_CTL")

pytestmark = pytest.mark.skipif(
    not (os.environ.get("STYR_TEST_POSTGRES_URL") and DATA and PG_CTL),
    reason="needs the throw-away PostgreSQL of scripts/run_tests.py (its data directory and pg_ctl); "
    "SQLite is a file in the service's own process and has no server to restart",
)


def restart_postgres() -> None:
    """`pg_ctl restart` as the server's owner, with the options it was started with (postmaster.opts)."""
    assert DATA
    assert PG_CTL
    command = [PG_CTL, "-D", DATA, "-l", str(Path(DATA).parent / "server.log"), "-m", "fast", "-w", "restart"]
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=60)


async def test_the_services_reconnect_after_postgresql_restarts_under_load(seeded):
    editor = seeded.auth("e", "HSN:editor")
    made = await seeded.client.post(
        "/api/budget/forecasts",
        headers=editor,
        json={"unit_code": "HSN", "year": 2026, "follow_up": "T1", "amount": "123456.78"},
    )
    assert made.status_code == 201
    load = Load(lambda path: seeded.client.get(path, headers=seeded.auth("r", "RS:reader")))
    marks: dict[str, float] = {}

    async def postgres_restarts() -> None:
        await load.wait_for(3, *READS)
        marks["restart"] = time.monotonic()
        await asyncio.to_thread(restart_postgres)
        marks["back"] = time.monotonic()
        await load.wait_for(5, *READS, after=marks["back"])

    await load.run_while(4, postgres_restarts())

    assert {a.status for a in load.answers if a.started + a.seconds < marks["restart"]} == {200}
    # Once the server is back, every service answers again, by itself.
    for service in READS:
        assert {a.status for a in load.of(service, after=marks["back"])} == {200}, service
    # While it was down: 503 problem details to retry, never a 500 and never a hang.
    assert {(a.status, a.code) for a in load.answers} <= {(200, None), (503, "service-unavailable")}
    assert max(a.seconds for a in load.answers) < 30
    forecast = await seeded.client.get(f"/api/budget/forecasts/{made.json()['id']}", headers=editor)
    assert forecast.json()["amount"] == "123456.78"
