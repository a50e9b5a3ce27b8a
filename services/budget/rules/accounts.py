"""The finance office's account plan: which ledger accounts belong to which account category."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import AccountCategory, AccountMapping
from services.budget.schemas import AccountMappingCreate, AccountMappingRead, AccountMappingUpdate
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


@dataclass(frozen=True)
class Rule:
    first: str
    last: str
    category: AccountCategory


@dataclass
class AccountPlan:
    """Every rule, by length, longest first; resolves an account to its category (cached: accounts repeat)."""

    rules: list[Rule]
    _resolved: dict[str, AccountCategory | None] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession) -> AccountPlan:
        rows = await session.execute(
            select(AccountMapping.account_from, AccountMapping.account_to, AccountMapping.category)
        )
        rules = [Rule(*row) for row in rows]
        rules.sort(key=lambda r: (-len(r.first), r.first))
        return cls(rules)

    def category_of(self, account: str) -> AccountCategory | None:
        """The category of the longest rule whose range holds the account's leading digits."""
        if account not in self._resolved:
            self._resolved[account] = next(
                (
                    rule.category
                    for rule in self.rules
                    if len(rule.first) <= len(account) and rule.first <= account[: len(rule.first)] <= rule.last
                ),
                None,
            )
        return self._resolved[account]

    def account_for(self, category: AccountCategory) -> str | None:
        """An account that maps back to `category`: the first account of its first rule.

        No longer rule can match it (it has too few digits) and no rule of its length overlaps, so
        it resolves to its own rule's category.
        """
        firsts = sorted(rule.first for rule in self.rules if rule.category is category)
        return firsts[0] if firsts else None


async def _ensure_no_overlap(session: AsyncSession, first: str, last: str, except_id: uuid.UUID | None) -> None:
    """Rules of one length may not overlap, so that every account has exactly one category."""
    stmt = select(AccountMapping.account_from, AccountMapping.account_to).where(
        func.length(AccountMapping.account_from) == len(first),
        AccountMapping.account_from <= last,
        AccountMapping.account_to >= first,
    )
    if except_id is not None:
        stmt = stmt.where(AccountMapping.id != except_id)
    clash = (await session.execute(stmt.limit(1))).first()
    if clash is not None:
        raise Conflict(f"Accounts {first}–{last} overlap the rule {clash[0]}–{clash[1]}", field="account_from")


async def create_mapping(session: AsyncSession, data: AccountMappingCreate) -> AccountMapping:
    last = data.account_to or data.account_from
    await _ensure_no_overlap(session, data.account_from, last, None)
    mapping = AccountMapping(**data.model_dump(exclude={"account_to"}), account_to=last)
    session.add(mapping)
    await session.flush()
    return mapping


async def get_mapping(session: AsyncSession, mapping_id: uuid.UUID) -> AccountMapping:
    mapping = await session.get(AccountMapping, mapping_id)
    if mapping is None:
        raise NotFound(f"No account mapping {mapping_id}")
    return mapping


async def update_mapping(session: AsyncSession, mapping: AccountMapping, data: AccountMappingUpdate) -> AccountMapping:
    """Change a rule; the new range is checked as a new rule would be."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("account_from", "category"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be emptied", field=name)
    try:
        merged = AccountMappingCreate.model_validate(
            {
                "account_from": changes.get("account_from", mapping.account_from),
                "account_to": changes.get("account_to", mapping.account_to),
                "category": changes.get("category", mapping.category),
                "comment": changes.get("comment", mapping.comment),
            }
        )
    except ValidationError as exc:
        raise Unprocessable(exc.errors()[0]["msg"], field="account_to") from exc
    last = merged.account_to or merged.account_from
    await _ensure_no_overlap(session, merged.account_from, last, mapping.id)
    mapping.account_from, mapping.account_to = merged.account_from, last
    mapping.category, mapping.comment = merged.category, merged.comment
    await session.flush()
    return mapping


async def delete_mapping(session: AsyncSession, mapping: AccountMapping) -> None:
    await session.delete(mapping)
    await session.flush()


async def list_mappings(session: AsyncSession, page: PageParams) -> Page[AccountMappingRead]:
    stmt = select(AccountMapping).order_by(AccountMapping.account_from, AccountMapping.account_to)
    return await paginate(session, stmt, page, lambda row: AccountMappingRead.model_validate(row[0]))
