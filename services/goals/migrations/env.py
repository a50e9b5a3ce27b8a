"""Alembic environment of the goals service."""

from services.goals.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
