"""What a report or a trace could not get from a service, and why: shared by the reports and the trace."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MissingSection(BaseModel):
    section: str
    service: str
    reason: str = Field(description="Why it is missing: the service's answer, or that it did not answer")
