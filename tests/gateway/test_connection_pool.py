"""The gateway's own connection pool (aiohttp behind httpx's interface), against real sockets."""

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from httpx_aiohttp import AiohttpTransport

from gateway.app import create_app
from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET
from tests.conftest import gateway_settings

# The gateway against a port nobody listens on and a service on its own SQLite file: the same in both runs.
pytestmark = pytest.mark.database_free


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("pool", ["aiohttp", "httpx"])
async def test_a_service_nobody_listens_for_is_503_through_either_pool(pool):
    url = f"http://127.0.0.1:{_closed_port()}"
    app = create_app(
        gateway_settings(goals_url=url, budget_url=url, audit_url=url, http_client=pool), configure_logs=False
    )
    token = mint_dev_token(DEV_SECRET, subject="r", roles=["RS:reader"])
    async with app.router.lifespan_context(app):
        assert isinstance(app.state.proxy.client._transport, AiohttpTransport) is (pool == "aiohttp")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            response = await client.get("/api/goals/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.json()["code"] == "service-unavailable"


def test_a_request_goes_through_the_aiohttp_pool_to_a_running_service(tmp_path):
    port = _closed_port()
    env = {**os.environ, "STYR_PROFILE": "development", "GOALS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/g.db"}
    subprocess.run([sys.executable, "-m", "cli.main", "migrate", "--service", "goals"], env=env, check=True)
    subprocess.run([sys.executable, "-m", "cli.main", "seed", "--service", "goals"], env=env, check=True)
    service = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "app", "goals", "--host", "127.0.0.1", "--port", str(port)], env=env
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)

        async def through_the_gateway() -> list[int]:
            app = create_app(gateway_settings(goals_url=url, http_client="aiohttp"), configure_logs=False)
            token = mint_dev_token(DEV_SECRET, subject="r", roles=["RS:reader"])
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
            ):
                headers = {"Authorization": f"Bearer {token}"}
                return [(await client.get("/api/goals/units/HSN", headers=headers)).status_code for _ in range(3)]

        assert asyncio.run(through_the_gateway()) == [200, 200, 200]
    finally:
        service.terminate()
        service.wait(timeout=10)
