"""Accountability statements (ansvarsprövning): the auditors' yearly statement on each body."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import AccountabilityStatement
from services.audit.rules.common import changes
from services.audit.schemas import StatementCreate, StatementRead, StatementUpdate
from shared.decisions import check_diary_number
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


def _check_remark(statement: AccountabilityStatement) -> None:
    """A remark (anmärkning) is a serious criticism: it must say on what grounds."""
    if statement.remark and not statement.remark_grounds:
        raise Unprocessable("A remark (anmärkning) needs its grounds", field="remark_grounds")


async def create_statement(session: AsyncSession, data: StatementCreate, diary_pattern: str) -> AccountabilityStatement:
    if data.diary_number is not None:
        check_diary_number(data.diary_number, diary_pattern, "diary_number")
    existing = await session.scalar(
        select(AccountabilityStatement.id).where(
            AccountabilityStatement.year == data.year, AccountabilityStatement.body_code == data.body_code
        )
    )
    if existing is not None:
        raise Conflict(f"{data.body_code} already has a statement for {data.year} ({existing}); change that one")
    statement = AccountabilityStatement(**data.model_dump())
    _check_remark(statement)
    session.add(statement)
    await session.flush()
    return statement


async def get_statement(session: AsyncSession, statement_id: uuid.UUID) -> AccountabilityStatement:
    statement = await session.get(AccountabilityStatement, statement_id)
    if statement is None:
        raise NotFound(f"No accountability statement {statement_id}")
    return statement


async def update_statement(
    session: AsyncSession, statement: AccountabilityStatement, data: StatementUpdate, diary_pattern: str
) -> None:
    sent = changes(data, {"remark", "internal_control_sufficient"})
    if data.diary_number is not None:
        check_diary_number(data.diary_number, diary_pattern, "diary_number")
    for field, value in sent.items():
        setattr(statement, field, value)
    _check_remark(statement)
    await session.flush()


async def list_statements(
    session: AsyncSession, page: PageParams, *, body_code: str | None, year: int | None
) -> Page[StatementRead]:
    stmt = select(AccountabilityStatement).order_by(
        AccountabilityStatement.year.desc(), AccountabilityStatement.body_code
    )
    if body_code is not None:
        stmt = stmt.where(AccountabilityStatement.body_code == body_code)
    if year is not None:
        stmt = stmt.where(AccountabilityStatement.year == year)
    return await paginate(session, stmt, page, lambda row: StatementRead.model_validate(row[0]))
