"""`styr remind` as it runs on a schedule: real services, a real SMTP server and a webhook receiver.

Each reminder arrives once on each channel: when two passes run at the same time, when a pass is killed
after claiming (its claims are taken over once their lease has run out), and a pass after them sends nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from cli.remind import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from tests.reliability.processes import free_port, processes

SECRET = "a-webhook-secret-of-the-tests-only-0123456789"
FIRST_DAY, LATER_DAY = "2022-12-24", "2023-01-14"  # a week before the demo's year-end tasks, two after


class Mailbox:
    """aiosmtpd's handler: keeps each message it accepts; while `hold` is set it accepts none and waits."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.hold = False
        self.held = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold:
            self.held.set()
            await asyncio.to_thread(self.released.wait)
            return "451 Not now"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


class Hooks(BaseHTTPRequestHandler):
    """The webhook receiver: checks the signature, answers the very first call 503 to make the job retry."""

    received: ClassVar[list[dict[str, Any]]] = []
    refused_once: ClassVar[bool] = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        expected = signature(SECRET, self.headers[TIMESTAMP_HEADER], body)
        assert self.headers[SIGNATURE_HEADER] == expected
        if not Hooks.refused_once:
            Hooks.refused_once = True
            self.send_response(503)
        else:
            Hooks.received.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receivers() -> Iterator[tuple[Mailbox, int, int]]:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    Hooks.received, Hooks.refused_once = [], False
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    try:
        yield mailbox, smtp.port, hooks.server_address[1]
    finally:
        hooks.shutdown()
        smtp.stop()


def _job_env(stack_env: dict[str, str], smtp_port: int, hook_port: int, **extra: str) -> dict[str, str]:
    return {
        **stack_env,
        "REMINDERS_GOALS_URL": stack_env["GATEWAY_GOALS_URL"],
        "REMINDERS_BUDGET_URL": stack_env["GATEWAY_BUDGET_URL"],
        "REMINDERS_AUDIT_URL": stack_env["GATEWAY_AUDIT_URL"],
        "REMINDERS_SMTP_HOST": "127.0.0.1",
        "REMINDERS_SMTP_PORT": str(smtp_port),
        "REMINDERS_SMTP_TLS": "false",
        "REMINDERS_EMAIL_ADDRESS_TEMPLATE": "{subject}@region.test",
        "REMINDERS_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/reminders",
        "REMINDERS_WEBHOOK_SECRET": SECRET,
        "REMINDERS_WEBHOOK_BACKOFF_SECONDS": "0.05",
        **extra,
    }


def _remind(env: dict[str, str], day: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cli.main", "remind", "--as-of", day]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finished(job: subprocess.Popen[bytes]) -> str:
    output, _ = job.communicate(timeout=300)
    assert job.returncode == 0, output.decode()
    return output.decode()


def _claims(goals_url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        engine = create_async_engine(goals_url)
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT state, count(*) FROM reminder_claim GROUP BY state"))
            found = {state: n for state, n in rows}
        await engine.dispose()
        return found

    return asyncio.run(count())


def _keys(mailbox: Mailbox) -> list[str]:
    return [message["X-Styr-Reminder"].strip() for _, message in mailbox.messages]


def test_each_reminder_arrives_once_however_the_passes_run(database_urls, snapshots, receivers):
    mailbox, smtp_port, hook_port = receivers
    asyncio.run(snapshots.restore("seeded"))
    with processes(database_urls) as stack:
        env = _job_env(stack.env, smtp_port, hook_port)

        # Two passes at once: between them, each reminder once.
        both = [_remind(env, FIRST_DAY), _remind(env, FIRST_DAY)]
        outputs = [_finished(job) for job in both]
        first = _keys(mailbox)
        assert first, outputs
        assert len(first) == len(set(first))
        assert sorted(first) == sorted(hook["key"] for hook in Hooks.received)  # the retried webhook too
        assert any(key.startswith("anna|/api/goals/assignments/") and key.endswith("|7") for key in first)
        assert any("|/api/audit/actions/" in key for key in first)
        assert any(key.startswith("anna|digest|") for key in first)
        anna = [(to, m) for to, m in mailbox.messages if m["X-Styr-Reminder"].strip().startswith("anna|")]
        assert {tuple(to) for to, _ in anna} == {("anna@region.test",)}
        assert "Due in 7 days:" in "".join(m.get_content() for _, m in anna)
        assert _claims(database_urls["goals"]) == {"sent": 2 * len(first)}

        _finished(_remind(env, FIRST_DAY))  # nothing new is due
        assert len(mailbox.messages) == len(first)

        # A pass killed while sending its first reminder: the mail server has not accepted it.
        mailbox.hold = True
        killed = _remind({**env, "REMINDERS_LEASE_SECONDS": "2"}, LATER_DAY)
        assert mailbox.held.wait(timeout=120), "the pass never reached the mail server"
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
        mailbox.hold = False
        mailbox.released.set()
        held = _claims(database_urls["goals"]).get("claimed", 0)
        assert held > 0

        time.sleep(2.5)  # the killed pass's lease runs out (a wait for the lease; nothing is timed)
        _finished(_remind(env, LATER_DAY))
        _finished(_remind(env, LATER_DAY))

        keys = _keys(mailbox)
        assert len(keys) == len(set(keys)) == len(first) + held // 2
        assert sorted(keys) == sorted(hook["key"] for hook in Hooks.received)
        assert _claims(database_urls["goals"]) == {"sent": 2 * len(keys)}
