"""Each test starts the product afresh (new apps on a restored database), and FastAPI builds an included
route's handler the first time a request is matched against it, in each app: the same work, about a third
of a second a test, repeated a thousand times. The routes are module-level and the apps of one kind are
built alike, so the suite builds each route's handler once per way it is included and shares it.

The only thing a shared handler keeps of the app it was first built for is where it looks up
`dependency_overrides`; the suite overrides no dependency (it calls the apps as they are).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import routing

_Built = tuple[Any, Any, Any]  # (route, its include context without the app, the context built for it)


def share_route_handlers_between_apps() -> None:
    effective = getattr(routing, "_EffectiveRouteContext", None)
    if effective is None or getattr(effective, "_styr_shared", False):
        return  # another FastAPI than the locked one builds routes otherwise: the suite is only slower
    build = effective.from_api_route.__func__
    built: dict[int, list[_Built]] = {}

    def from_api_route(cls: type, *, original_route: Any, include_context: Any) -> Any:
        same_inclusion = dataclasses.replace(include_context, dependency_overrides_provider=None)
        for route, inclusion, context in built.get(id(original_route), ()):
            if route is original_route and inclusion == same_inclusion:
                return context
        context = build(cls, original_route=original_route, include_context=include_context)
        built.setdefault(id(original_route), []).append((original_route, same_inclusion, context))
        return context

    effective.from_api_route = classmethod(from_api_route)
    effective._styr_shared = True
