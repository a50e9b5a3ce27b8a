"""The goals service: org structure, plans, goals, indicators and follow-up."""

from __future__ import annotations

from fastapi import FastAPI

from services.goals.models import HistoryEntry
from services.goals.routers import (
    followup,
    goals,
    imports,
    indicators,
    plans,
    readmodels,
    reminders,
    reports,
    tasks,
    units,
    work,
)
from services.goals.settings import GoalsSettings
from shared.app import create_service_app
from shared.changes import changes_router

DESCRIPTION = """Org structure, the council's plans and strategies, goals in perspectives with their
indicators, targets and measurements, assignments and activities, and goal fulfilment.

Fulfilment colours: an indicator is green when its target for the year is reached, yellow when
within its tolerance, red beyond, grey without target or value. A goal is grey when no indicator has
a colour, green when every measured indicator is green, red when at least half are red, yellow
otherwise."""


# Built once a process, as the routers above are: tests make the app a thousand times.
CHANGES = changes_router("goals", HistoryEntry)


def create_app(settings: GoalsSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_service_app(
        title="Styr goals service",
        description=DESCRIPTION,
        settings=settings or GoalsSettings(),
        routers=[
            units.router,
            plans.perspectives,
            plans.plans,
            plans.strategies,
            goals.router,
            indicators.indicators,
            indicators.measurements,
            followup.router,
            work.assignments,
            work.activities,
            readmodels.router,
            imports.router,
            imports.exports,
            reports.router,
            tasks.router,
            tasks.people,
            reminders.router,
            CHANGES,
        ],
        configure_logs=configure_logs,
    )
