"""The four apps as separate hosts on one machine: a network namespace each (and one for the client),
joined on a bridge, each app started with the image's own command line (`styr app NAME --port …`, as
deploy/compose.yaml runs it) and configured only by environment with the others' addresses.

The client reaches everything through the gateway's address; budget and audit ask the goals service
over the "network"; and 127.0.0.1 of one host is not another's, so the configured addresses are what
is used. The databases are not hosts here: SQLite files, or on PostgreSQL the test server's Unix
socket (a file, shared by the namespaces), since the server listens on the machine's loopback only.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET
from tests.reliability.hosts import Host, Network, netns_unavailable, network

# CI runs as root on a machine like this one and sets STYR_REQUIRE_NETNS=1, so there it cannot quietly skip.
REQUIRED = os.environ.get("STYR_REQUIRE_NETNS") == "1"
PORTS = {"goals": 8001, "budget": 8002, "audit": 8003, "gateway": 8000}  # as deploy/compose.yaml
STYR = str(Path(sys.executable).with_name("styr"))
START_SECONDS = 60
GRANT = {
    "name": "Kömiljarden",
    "grantor": "SKR",
    "first_year": 2031,
    "last_year": 2032,
    "amount": "42500000.00",
    "coordinator_unit": "HSN",
    "coordinator": "Karin Samordnare",
    "reporting_deadline": "2032-03-31",
}


def auth(sub: str, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(DEV_SECRET, subject=sub, roles=roles)}"}


def url(host: Host, port: int | None = None) -> str:
    return f"http://{host.address}:{port or PORTS[host.name]}"


def reachable_from(host: Host, target: str) -> bool:
    """Whether `host` gets an HTTP answer from `target`'s /healthz."""

    def probe() -> bool:
        try:
            return httpx.get(f"{target}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    return host.run(probe)


def host_database_url(url: str) -> str:
    """The URL a namespaced app uses: SQLite files as they are; PostgreSQL through its Unix socket."""
    if url.startswith("sqlite"):
        return url
    data = os.environ.get("STYR_TEST_POSTGRES_DATA")
    if not data:
        pytest.skip("PostgreSQL given without the test server's socket directory (scripts/run_tests.py sets it)")
    server, name = url.rsplit("/", 1)
    port = server.rsplit(":", 1)[1]
    return f"postgresql+asyncpg://postgres@/{name}?host={Path(data).parent}&port={port}"


def app_environment(net: Network, name: str, database_urls: dict[str, str]) -> dict[str, str]:
    """Only what the app needs, by environment: its database, and the other hosts' addresses."""
    env = {"PATH": os.environ["PATH"], "STYR_PROFILE": "development", f"{name.upper()}_LOG_LEVEL": "WARNING"}
    if name == "gateway":
        env.update({f"GATEWAY_{s.upper()}_URL": url(net[s]) for s in ("goals", "budget", "audit")})
        env["GATEWAY_SERVICE_TIMEOUT_SECONDS"] = "10"
    else:
        env[f"{name.upper()}_DATABASE_URL"] = host_database_url(database_urls[name])
        if name != "goals":
            env[f"{name.upper()}_GOALS_URL"] = url(net["goals"])
        else:
            env["GOALS_AUDIT_URL"] = url(net["audit"])
    return env


def wait_ready(net: Network) -> None:
    """Until the gateway, asked from the client host, finds every service ready."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        for process in net.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} stopped during start-up (exit {process.returncode})")
        try:
            ready = net["client"].run(lambda: httpx.get(f"{url(net['gateway'])}/readyz", timeout=2))
            if ready.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the stack was not ready within {START_SECONDS} s")


@pytest.fixture
def hosts(database_urls: dict[str, str], snapshots: Any) -> Iterator[Network]:
    """The demo data, and each app on a host of its own (torn down even when the test fails)."""
    reason = netns_unavailable()
    if reason and not REQUIRED:
        pytest.skip(reason)
    assert reason is None, reason
    asyncio.run(snapshots.restore("seeded"))
    with network([*PORTS, "client"]) as net:
        for name, port in PORTS.items():
            command = [STYR, "app", name, "--port", str(port)]  # the image's command; it listens on 0.0.0.0
            net.processes.append(net[name].popen(command, app_environment(net, name, database_urls)))
        wait_ready(net)
        yield net


def test_the_apps_as_separate_hosts_work_only_through_their_configured_addresses(hosts: Network) -> None:
    client_host, gateway = hosts["client"], url(hosts["gateway"])
    editor, board, finance = auth("anna", "HSN:editor"), auth("bo", "RS:reader"), auth("fia", "finance")

    def scenario() -> tuple[dict[str, Any], dict[str, httpx.Response]]:
        answers: dict[str, httpx.Response] = {}
        with httpx.Client(base_url=gateway, timeout=20) as client:
            goals = client.get("/api/goals/goals", params={"limit": 500}, headers=board).json()["items"]
            goal = next(g for g in goals if g["unit_code"] == "HSN")
            indicators = client.get("/api/goals/indicators", params={"goal": goal["id"]}, headers=board).json()
            answers["measurement"] = client.post(
                f"/api/goals/indicators/{indicators['items'][0]['id']}/measurements",
                headers=editor,
                json={"period": "2041", "value": "12.5"},
            )
            # Budget asks the goals host whether the unit exists.
            answers["forecast"] = client.post(
                "/api/budget/forecasts",
                headers=editor,
                json={"unit_code": "HSN", "year": 2031, "follow_up": "T1", "amount": "4815300000.05"},
            )
            # A grant's goal link: budget asks the goals host whether the goal exists.
            grant = client.post("/api/budget/grants", headers=finance, json=GRANT).json()
            answers["grant_goal"] = client.post(
                f"/api/budget/grants/{grant['id']}/goals", headers=finance, json={"goal_id": goal["id"], "how": "Köer"}
            )
            answers["grant_unknown_goal"] = client.post(
                f"/api/budget/grants/{grant['id']}/goals",
                headers=finance,
                json={"goal_id": str(uuid.uuid4()), "how": "Köer"},
            )
            # Audit asks the goals host whether the goals exist.
            action = client.get("/api/audit/actions", params={"body": "HSN"}, headers=editor).json()["items"][0]
            read = client.get(f"/api/audit/actions/{action['id']}", headers=editor)
            answers["action"] = client.patch(
                f"/api/audit/actions/{action['id']}",
                headers={**editor, "If-Match": read.headers["ETag"]},
                json={"goal_ids": [goal["id"]]},
            )
            answers["action_unknown_goal"] = client.patch(
                f"/api/audit/actions/{action['id']}",
                headers={**editor, "If-Match": answers["action"].headers["ETag"]},
                json={"goal_ids": [str(uuid.uuid4())]},
            )
            answers["action_again"] = client.get(f"/api/audit/actions/{action['id']}", headers=editor)
            answers["forecast_again"] = client.get(
                f"/api/budget/forecasts/{answers['forecast'].json()['id']}", headers=editor
            )
            answers["report"] = client.get("/api/reports/interim/2022/T2", headers=board)
        return goal, answers

    goal, answers = client_host.run(scenario)
    assert answers["measurement"].status_code == 201, answers["measurement"].text
    assert answers["forecast"].status_code == 201, answers["forecast"].text
    assert answers["forecast_again"].json()["amount"] == "4815300000.05"
    assert answers["grant_goal"].status_code == 201, answers["grant_goal"].text
    assert answers["grant_goal"].json()["goals"][0]["goal_id"] == goal["id"]
    # A 422 (not a 503) proves the goals host answered the budget host's question.
    assert answers["grant_unknown_goal"].status_code == 422, answers["grant_unknown_goal"].text
    assert answers["action"].status_code == 200, answers["action"].text
    assert answers["action"].json()["goal_ids"] == [goal["id"]]
    assert answers["action_unknown_goal"].status_code == 422, answers["action_unknown_goal"].text
    assert answers["action_again"].json()["goal_ids"] == [goal["id"]]
    report = answers["report"].json()
    assert (answers["report"].status_code, report["complete"], report["missing"]) == (200, True, [])
    assert report["goals"]["fulfilment"]["rows"]
    assert report["economy"]["economy"]["result"]
    assert report["audit"]["overview"]["bodies"]

    # Each app listens on every address of its own host (0.0.0.0, as deployed)…
    for name, port in PORTS.items():
        assert reachable_from(hosts[name], f"http://127.0.0.1:{port}"), name
        assert reachable_from(client_host, url(hosts[name])), name
    # …yet another host's 127.0.0.1 is its own, where no app listens: only the configured address reaches it.
    for name, port in PORTS.items():
        assert not reachable_from(client_host, f"http://127.0.0.1:{port}"), name
    for caller in ("budget", "audit", "gateway"):
        assert not reachable_from(hosts[caller], f"http://127.0.0.1:{PORTS['goals']}"), caller
