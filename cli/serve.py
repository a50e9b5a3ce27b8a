"""Runs the whole stack on one machine for development: three services and the gateway, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from cli.registry import GATEWAY_FACTORY, GATEWAY_PORT, SERVICES

HOST = "127.0.0.1"


@dataclass
class Child:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_app(name: str, factory: str, port: int, env: dict[str, str]) -> Child:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
    ]
    return Child(name, port, subprocess.Popen(command, env=env))


def wait_healthy(children: list[Child], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(children)
    while pending and time.monotonic() < deadline:
        for child in list(pending):
            if child.process.poll() is not None:
                raise RuntimeError(f"{child.name} stopped during start-up (exit {child.process.returncode})")
            try:
                if httpx.get(f"{child.url}/healthz", timeout=1.0).status_code == 200:
                    pending.remove(child)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    if pending:
        raise RuntimeError(f"not healthy after {timeout:.0f} s: {', '.join(c.name for c in pending)}")


def start_reminders(env: dict[str, str], ports: dict[str, int], every_seconds: float) -> subprocess.Popen[bytes]:
    """`styr remind` every so often against the local services: with no SMTP or webhook configured
    (REMINDERS_SMTP_HOST, REMINDERS_WEBHOOK_URL) each reminder is written to this log instead."""
    job_env = dict(env)
    for name, port in ports.items():
        job_env.setdefault(f"REMINDERS_{name.upper()}_URL", f"http://{HOST}:{port}")
    command = [sys.executable, "-m", "cli.main", "remind", "--every", str(every_seconds)]
    return subprocess.Popen(command, env=job_env)


def stop_all(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    for child in children:
        try:
            child.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.process.kill()


def serve(gateway_port: int = GATEWAY_PORT, remind_every_seconds: float = 3600) -> int:
    """Start everything, print the addresses, and stop it all on Ctrl-C or when any part stops.

    The services listen on the ports after the gateway's (8001–8003 for the default 8000). Once they
    answer, the reminder job runs a pass every `remind_every_seconds` (0: none).
    """
    env = dict(os.environ)
    ports = {entry.name: gateway_port + entry.port - GATEWAY_PORT for entry in SERVICES}
    for entry in SERVICES:
        env[f"GATEWAY_{entry.name.upper()}_URL"] = f"http://{HOST}:{ports[entry.name]}"
    for caller in ("BUDGET", "AUDIT"):  # they ask the goals service about units and goals
        env.setdefault(f"{caller}_GOALS_URL", f"http://{HOST}:{ports['goals']}")
    env.setdefault("GOALS_AUDIT_URL", f"http://{HOST}:{ports['audit']}")  # recommendations an assignment answers
    children = [start_app(e.name, e.factory, ports[e.name], env) for e in SERVICES]
    children.append(start_app("gateway", GATEWAY_FACTORY, gateway_port, env))
    stopping = False
    reminders: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int, _: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        wait_healthy(children)
        print("\nStyr is running:", flush=True)
        for child in children:
            print(f"  {child.name:<8} {child.url}", flush=True)
        print(f"\n  API docs  http://{HOST}:{gateway_port}/docs\n  Stop with Ctrl-C.\n", flush=True)
        if remind_every_seconds > 0:
            reminders = start_reminders(env, ports, remind_every_seconds)
            configured = env.get("REMINDERS_SMTP_HOST") or env.get("REMINDERS_WEBHOOK_URL")
            where = "e-mail and webhook as configured" if configured else "this log (no SMTP or webhook set)"
            print(f"  Reminders every {remind_every_seconds:.0f} s, to {where}.\n", flush=True)
        while not stopping:
            if any(c.process.poll() is not None for c in children):
                print("A part of the stack stopped; stopping the rest.", file=sys.stderr, flush=True)
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as exc:
        print(f"Start-up failed: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if reminders is not None and reminders.poll() is None:
            reminders.terminate()
            reminders.wait(timeout=10)
        stop_all(children)
