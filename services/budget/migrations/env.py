"""Alembic environment of the budget service."""

from services.budget.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
