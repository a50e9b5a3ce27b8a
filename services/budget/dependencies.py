"""What the budget routes depend on besides the caller: settings and the goals service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.budget.settings import BudgetSettings
from shared.errors import Unprocessable
from shared.peers import Peer, peer


def budget_settings(request: Request) -> BudgetSettings:
    settings: BudgetSettings = request.app.state.settings
    return settings


Settings = Annotated[BudgetSettings, Depends(budget_settings)]


def goals_peer(request: Request) -> Peer:
    """The goals service, called with the caller's own token, so it applies its rules to them."""
    settings = budget_settings(request)
    return peer(request, "goals", settings.goals_url, settings.peer_timeout_seconds)


GoalsService = Annotated[Peer, Depends(goals_peer)]


async def ensure_unit_exists(goals: Peer, unit_code: str, *, field: str = "unit_code") -> None:
    """Org units live in the goals service: a code it does not know is a 422."""
    if not await goals.exists(f"/units/{unit_code}"):
        raise Unprocessable(f"No org unit with code {unit_code}", field=field)
