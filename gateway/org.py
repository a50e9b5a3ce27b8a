"""The org tree, read from the goals service and kept for a short while, to expand roles down the chain."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

import httpx

from shared.auth.policy import OrgNode, UnitKind
from shared.errors import ServiceUnavailable

TreeFetcher = Callable[[], Awaitable[httpx.Response]]


class OrgTreeCache:
    def __init__(self, fetch: TreeFetcher, ttl_seconds: float) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._tree: dict[str, OrgNode] | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    async def get(self) -> Mapping[str, OrgNode]:
        if self._tree is not None and time.monotonic() - self._loaded_at < self._ttl:
            return self._tree
        async with self._lock:
            if self._tree is None or time.monotonic() - self._loaded_at >= self._ttl:
                self._tree = await self._load()
                self._loaded_at = time.monotonic()
        return self._tree

    async def _load(self) -> dict[str, OrgNode]:
        try:
            response = await self._fetch()
            response.raise_for_status()
            units = response.json()["units"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            if self._tree is not None:
                return self._tree  # a stale tree beats refusing everyone while goals restarts
            raise ServiceUnavailable("The org structure could not be read from the goals service") from exc
        return {u["code"]: OrgNode(code=u["code"], parent=u["parent_code"], kind=UnitKind(u["kind"])) for u in units}
