"""No route waits on the threadpool for a dependency: FastAPI runs a plain `def` dependency in a worker thread,
a hand-off that costs more than reading a setting (issue 17: the request path). Every dependency of every route
of the services and the gateway is a coroutine (or an async generator)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

ROOT = Path(__file__).resolve().parents[2]


def _routers() -> Iterator[tuple[str, APIRouter]]:
    paths = [*ROOT.glob("services/*/routers/*.py"), *ROOT.glob("gateway/**/*.py")]
    for path in sorted(paths):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, APIRouter):
                yield f"{name}.{attribute}", value


def _is_async(call: object) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    # An instance whose __call__ is a coroutine (a guard, the bearer scheme); a class is built in the threadpool.
    return not inspect.isclass(call) and inspect.iscoroutinefunction(type(call).__call__)  # type: ignore[operator]


def _sync_dependencies(dependant: Dependant) -> Iterator[str]:
    for sub in dependant.dependencies:
        if sub.call is not None and not _is_async(sub.call):
            yield getattr(sub.call, "__qualname__", repr(sub.call))
        yield from _sync_dependencies(sub)


def test_every_dependency_of_every_route_is_async() -> None:
    routes = [(name, route) for name, router in _routers() for route in router.routes if isinstance(route, APIRoute)]
    assert len(routes) > 100  # the scan finds the routers
    found = {
        f"{name}: {route.path} uses {call}" for name, route in routes for call in _sync_dependencies(route.dependant)
    }
    assert not found, "\n".join(sorted(found))


def test_the_scan_sees_a_sync_dependency() -> None:
    from fastapi import Depends

    router = APIRouter()

    def sync_setting() -> int:
        return 1

    @router.get("/x")
    async def route(value: int = Depends(sync_setting)) -> int:
        return value

    [found] = [r for r in router.routes if isinstance(r, APIRoute)]
    assert list(_sync_dependencies(found.dependant)) == [sync_setting.__qualname__]
