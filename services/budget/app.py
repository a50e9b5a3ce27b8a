"""The budget service: resource calculation, frames, outcomes, forecasts, investments and grants."""

from __future__ import annotations

from fastapi import FastAPI

from services.budget.models import HistoryEntry
from services.budget.routers import (
    accounts,
    balance,
    economy,
    fees,
    followup,
    forecast_proposals,
    frames,
    grants,
    imports,
    investments,
    needs,
    plan_period,
    resources,
    scenarios,
    tasks,
)
from services.budget.settings import BudgetSettings
from shared.app import create_service_app
from shared.changes import changes_router

DESCRIPTION = """Resource calculation, operating frames with versions and decisions, outcomes, periodised
budgets, forecasts and deviations, investments and targeted state grants.

Money is exact: amounts are decimal strings in SEK. A frame is built from its parts: last year's frame +
index uplift + population change + activity change + political priorities − savings."""


# Built once a process, as the routers above are: tests make the app a thousand times.
CHANGES = changes_router("budget", HistoryEntry)


def create_app(settings: BudgetSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_service_app(
        title="Styr budget service",
        description=DESCRIPTION,
        settings=settings or BudgetSettings(),
        routers=[
            resources.router,
            scenarios.by_year,
            scenarios.router,
            fees.router,
            needs.needs,
            needs.dialogues,
            frames.router,
            plan_period.router,
            followup.periodisations,
            followup.outcomes,
            followup.forecasts,
            forecast_proposals.router,
            followup.closed_years,
            economy.router,
            balance.router,
            investments.frames,
            investments.projects,
            grants.router,
            accounts.router,
            imports.router,
            imports.exports,
            tasks.router,
            tasks.people,
            CHANGES,
        ],
        configure_logs=configure_logs,
    )
