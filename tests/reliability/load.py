"""A steady stream of follow-up-week reads against the gateway, recorded per service, for the fault tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

READS = {
    "goals": "/api/goals/chain?year=2022",
    "budget": "/api/budget/economy/region?year=2022&follow_up=T2",
    "audit": "/api/audit/overview",
}


@dataclass
class Answer:
    service: str
    started: float
    seconds: float
    status: int
    code: str | None


@dataclass
class Load:
    """Readers that call each service's read model in turn until stopped."""

    send: Callable[[str], Awaitable[httpx.Response]]
    answers: list[Answer] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _answered: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def _reader(self) -> None:
        while not self._stop.is_set():
            for service, path in READS.items():
                started = time.monotonic()
                try:
                    response = await self.send(path)
                    status = response.status_code
                    is_problem = response.headers.get("content-type", "").startswith("application/problem+json")
                    code = response.json().get("code") if is_problem else None
                except httpx.HTTPError as exc:  # the gateway itself unreachable: recorded, never expected
                    status, code = 0, type(exc).__name__
                self.answers.append(Answer(service, started, time.monotonic() - started, status, code))
                async with self._answered:
                    self._answered.notify_all()

    async def run_while(self, readers: int, scenario: Awaitable[None]) -> None:
        """Keep `readers` readers going while the scenario runs, then stop them."""
        tasks = [asyncio.create_task(self._reader()) for _ in range(readers)]
        try:
            await scenario
        finally:
            self._stop.set()
            await asyncio.gather(*tasks)

    async def wait_for(self, count: int, *services: str, after: float = 0.0) -> None:
        """Until each service has `count` answers to requests started after `after` (a minute at most)."""
        async with asyncio.timeout(60), self._answered:
            await self._answered.wait_for(lambda: all(len(self.of(s, after)) >= count for s in services))

    def of(self, service: str, after: float = 0.0, before: float = float("inf")) -> list[Answer]:
        return [a for a in self.answers if a.service == service and after <= a.started < before]
