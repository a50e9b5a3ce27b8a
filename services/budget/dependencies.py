"""What the budget routes depend on besides the caller and the goals service (shared.peers): settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.budget.settings import BudgetSettings


def budget_settings(request: Request) -> BudgetSettings:
    settings: BudgetSettings = request.app.state.settings
    return settings


Settings = Annotated[BudgetSettings, Depends(budget_settings)]
