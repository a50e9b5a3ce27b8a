"""People on records: the sign-in subject who owns or reports something, and the name they go by.

A record keeps a person as two columns, `<role>_subject` (the token's `sub`, which is stable and what
`/me/tasks` matches on) and `<role>_name` (the display name), beside any free-text title it already had
(`owner`: "Hälso- och sjukvårdsdirektör"), which stays as the role's description.

Where the name comes from: the services see no directory of people, only the caller's token. So when a
caller names themselves, the name is their token's `name` claim (whatever the body says); when they name
someone else, the write must give that person's name, and it is kept as given, like any other field, in
the history with who wrote it. A table of people filled from the tokens each service sees would know
only those who have already called that service, and would put a write in every request; the name given
in the write is simpler and says honestly who vouched for it. A person who corrects their own name does
so by setting themselves again.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.auth.policy import Principal
from shared.errors import Unprocessable
from shared.fields import SOME_TEXT

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]

SUBJECT_HELP = "The person's sign-in subject (the token's `sub`); null removes the person"
NAME_HELP = (
    "Their display name: taken from your token when you name yourself, "
    "else needed when the subject changes, and kept as given"
)
READ_SUBJECT_HELP = "The person's sign-in subject (the token's `sub`), or null when no person is named"
READ_NAME_HELP = "The person's display name: from their token if they named themselves, else as the writer gave it"

SUBJECT_SUFFIX = "_subject"
NAME_SUFFIX = "_name"


class OwnerColumns:
    """The person who owns a record: the one `/me/tasks` asks to act on it."""

    owner_subject: Mapped[str | None] = mapped_column(String(200), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))


class OwnerIn(BaseModel):
    owner_subject: Subject | None = Field(default=None, description=SUBJECT_HELP)
    owner_name: PersonName | None = Field(default=None, description=NAME_HELP)


class OwnerRead(BaseModel):
    owner_subject: str | None = Field(default=None, description=READ_SUBJECT_HELP)
    owner_name: str | None = Field(default=None, description=READ_NAME_HELP)


class ReporterIn(BaseModel):
    reporter_subject: Subject | None = Field(default=None, description="Who reports the measurements. " + SUBJECT_HELP)
    reporter_name: PersonName | None = Field(default=None, description=NAME_HELP)


class ReporterRead(BaseModel):
    reporter_subject: str | None = Field(default=None, description="Who reports the measurements. " + READ_SUBJECT_HELP)
    reporter_name: str | None = Field(default=None, description=READ_NAME_HELP)


class CoordinatorIn(BaseModel):
    coordinator_subject: Subject | None = Field(
        default=None, description="Who reports the grant's use each year. " + SUBJECT_HELP
    )
    coordinator_name: PersonName | None = Field(default=None, description=NAME_HELP)


class CoordinatorRead(BaseModel):
    coordinator_subject: str | None = Field(
        default=None, description="Who reports the grant's use each year. " + READ_SUBJECT_HELP
    )
    coordinator_name: str | None = Field(default=None, description=READ_NAME_HELP)


def person_roles(data: BaseModel) -> list[str]:
    """The roles a schema names people in: `owner` for `owner_subject` with `owner_name`."""
    fields = type(data).model_fields
    return [
        name.removesuffix(SUBJECT_SUFFIX)
        for name in fields
        if name.endswith(SUBJECT_SUFFIX) and name.removesuffix(SUBJECT_SUFFIX) + NAME_SUFFIX in fields
    ]


def _named(role: str, data: BaseModel, caller: Principal, record: Any | None) -> dict[str, str | None]:
    subject_field, name_field = role + SUBJECT_SUFFIX, role + NAME_SUFFIX
    sent = data.model_fields_set
    if subject_field not in sent and name_field not in sent:
        return {}
    current_subject = getattr(record, subject_field, None) if record is not None else None
    current_name = getattr(record, name_field, None) if record is not None else None
    subject = getattr(data, subject_field) if subject_field in sent else current_subject
    name = getattr(data, name_field) if name_field in sent else None
    if subject is None:
        if name is not None:
            raise Unprocessable(f"A {name_field} needs a {subject_field}: name whose it is", field=name_field)
        return {subject_field: None, name_field: None}
    if subject == caller.subject:
        return {subject_field: subject, name_field: caller.name}
    if name is None:
        if subject == current_subject:
            return {subject_field: subject, name_field: current_name}
        raise Unprocessable(
            f"Give {name_field} for {subject!r}: only your own name is known from your token", field=name_field
        )
    return {subject_field: subject, name_field: name}


Data = TypeVar("Data", bound=BaseModel)


def name_people(data: Data, caller: Principal, record: Any | None = None) -> Data:
    """The write with each person it names given their display name (see the module's docstring).

    `record` is the record being changed, for a PATCH that keeps its person or renames them; the fields
    of a role the write leaves out stay out, so a PATCH without them changes no one.
    """
    update: dict[str, str | None] = {}
    for role in person_roles(data):
        update |= _named(role, data, caller, record)
    return data.model_copy(update=update) if update else data
