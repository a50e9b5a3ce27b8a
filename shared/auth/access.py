"""The access rule of each operation, declared next to its route and shown in OpenAPI."""

from __future__ import annotations

from typing import Any

ANY_ROLE = "any role in the region"


def access(rule: str) -> dict[str, Any]:
    """Route keyword arguments that publish the rule as `x-access` on the operation."""
    return {"openapi_extra": {"x-access": rule}}
