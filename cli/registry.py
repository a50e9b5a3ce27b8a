"""The apps of the product, as the admin command line sees them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.seed import seed as seed_audit
from services.audit.settings import AuditSettings
from services.budget.seed import seed as seed_budget
from services.budget.settings import BudgetSettings
from services.goals.seed import seed as seed_goals
from services.goals.settings import GoalsSettings
from shared.settings import PROJECT_ROOT, ServiceSettings

Seeder = Callable[[AsyncSession], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    settings: type[ServiceSettings]
    seed: Seeder
    port: int

    @property
    def directory(self) -> Path:
        return PROJECT_ROOT / "services" / self.name

    @property
    def factory(self) -> str:
        return f"services.{self.name}.app:create_app"


SERVICES = (
    ServiceEntry("goals", GoalsSettings, seed_goals, 8001),
    ServiceEntry("budget", BudgetSettings, seed_budget, 8002),
    ServiceEntry("audit", AuditSettings, seed_audit, 8003),
)
GATEWAY_PORT = 8000
GATEWAY_FACTORY = "gateway.app:create_app"
