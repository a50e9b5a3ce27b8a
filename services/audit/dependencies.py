"""What the audit routes depend on besides the caller: the service settings and the region's risk matrix."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from services.audit.rules.internal_control import Matrix
from services.audit.settings import AuditSettings


def _settings(request: Request) -> AuditSettings:
    return cast(AuditSettings, request.app.state.settings)


def _matrix(settings: Annotated[AuditSettings, Depends(_settings)]) -> Matrix:
    return Matrix(settings)


Settings = Annotated[AuditSettings, Depends(_settings)]
RiskMatrixDep = Annotated[Matrix, Depends(_matrix)]
