"""The product as real processes on loopback (uvicorn, one per app), as `make run` starts it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cli.registry import GATEWAY_FACTORY, SERVICES
from cli.serve import Child, start_app, stop_all, wait_healthy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Processes:
    children: dict[str, Child]
    env: dict[str, str]

    @property
    def gateway_url(self) -> str:
        return self.children["gateway"].url

    def stop(self, name: str) -> None:
        stop_all([self.children[name]])

    def start(self, name: str) -> None:
        """Start an app again on its own port, and wait until it is healthy."""
        old = self.children[name]
        factory = GATEWAY_FACTORY if name == "gateway" else f"services.{name}.app:create_app"
        self.children[name] = start_app(name, factory, old.port, self.env)
        wait_healthy([self.children[name]], timeout=60)


@contextmanager
def processes(database_urls: dict[str, str], **gateway_env: str) -> Iterator[Processes]:
    """Three services and the gateway on free ports, on the given databases."""
    ports = {entry.name: free_port() for entry in SERVICES}
    env = {**os.environ, "STYR_PROFILE": "development", "GATEWAY_RATE_LIMIT_PER_MINUTE": "0", **gateway_env}
    for entry in SERVICES:
        prefix = entry.name.upper()
        env[f"{prefix}_DATABASE_URL"] = database_urls[entry.name]
        env[f"{prefix}_LOG_LEVEL"] = "WARNING"
        env[f"GATEWAY_{prefix}_URL"] = f"http://127.0.0.1:{ports[entry.name]}"
    env.update({"BUDGET_GOALS_URL": env["GATEWAY_GOALS_URL"], "AUDIT_GOALS_URL": env["GATEWAY_GOALS_URL"]})
    env["GOALS_AUDIT_URL"] = env["GATEWAY_AUDIT_URL"]
    env["GATEWAY_LOG_LEVEL"] = "WARNING"
    children = {entry.name: start_app(entry.name, entry.factory, ports[entry.name], env) for entry in SERVICES}
    children["gateway"] = start_app("gateway", GATEWAY_FACTORY, free_port(), env)
    running = Processes(children, env)
    try:
        wait_healthy(list(children.values()), timeout=90)
        yield running
    finally:
        stop_all(list(running.children.values()))
