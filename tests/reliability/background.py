"""The in-process stack on an event loop of its own, so synchronous code (Hypothesis, schemathesis) can call it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any, TypeVar

import httpx

from tests.conftest import Snapshots, Stack, running_stack

T = TypeVar("T")


class BackgroundStack:
    """A running `Stack` whose client is called from other threads, one request at a time or many."""

    def __init__(self, stack: Stack, loop: asyncio.AbstractEventLoop) -> None:
        self.stack = stack
        self.loop = loop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the stack's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.run(self.stack.client.request(method, url, **kwargs))


@contextmanager
def background_stack(database_urls: dict[str, str], snapshots: Snapshots, state: str) -> Iterator[BackgroundStack]:
    """The whole product on the `state` snapshot (`empty` or `seeded`), served from a thread of its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="stack-loop", daemon=True)
    thread.start()
    context: AbstractAsyncContextManager[Stack] = running_stack(database_urls, {})

    async def enter() -> Stack:
        await snapshots.restore(state)
        return await context.__aenter__()

    try:
        stack = asyncio.run_coroutine_threadsafe(enter(), loop).result(120)
        try:
            yield BackgroundStack(stack, loop)
        finally:
            asyncio.run_coroutine_threadsafe(context.__aexit__(None, None, None), loop).result(60)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
