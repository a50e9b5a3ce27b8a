"""The access-rule vocabulary: its sentence, its JSON, and what it says a caller gets."""

from shared.auth.access import ANY_ROLE, COUNCIL, FINANCE, Outcome, Rule, State, change_record, read_record
from shared.auth.policy import Principal, PrincipalKind, RegionRole, UnitRole

GOAL_UNIT = "the goal's unit"


def _on_hsn(words: str) -> str:
    return "RF" if words == COUNCIL else "HSN"


def _person(**unit_roles: UnitRole) -> Principal:
    return Principal("p", "P", unit_roles=unit_roles)


def test_a_rule_survives_its_json_and_reads_as_a_sentence():
    rule = read_record(GOAL_UNIT)
    assert Rule.from_json(rule.as_json()) == rule
    assert rule.sentence().startswith("any role (or read:decided) once decided, or reader on the goal's unit")
    assert "404" in rule.sentence()


def test_a_draft_is_hidden_from_those_who_may_not_read_it_and_refused_to_readers_who_may_not_change_it():
    rule = change_record(GOAL_UNIT)
    assert rule.outcome(_person(RUN=UnitRole.editor), _on_hsn, State.draft, write=True) is Outcome.hidden
    assert rule.outcome(_person(HSN=UnitRole.editor), _on_hsn, State.draft, write=True) is Outcome.allowed
    assert rule.outcome(_person(HSN=UnitRole.editor), _on_hsn, State.decided, write=True) is Outcome.refused
    assert rule.outcome(_person(HSN=UnitRole.registrar), _on_hsn, State.decided, write=True) is Outcome.allowed
    finance = Principal("f", "F", region_roles=frozenset({RegionRole.finance}))
    assert rule.outcome(finance, _on_hsn, State.draft, write=True) is Outcome.refused


def test_the_gateway_refuses_every_write_to_a_caller_who_only_reads():
    reader = _person(HSN=UnitRole.reader)
    client = Principal("c", "C", kind=PrincipalKind.client, scopes=frozenset({"read:decided"}))
    assert ANY_ROLE.outcome(reader, _on_hsn, None, write=False) is Outcome.allowed
    assert ANY_ROLE.outcome(reader, _on_hsn, None, write=True) is Outcome.refused
    assert ANY_ROLE.outcome(client, _on_hsn, None, write=True) is Outcome.refused
    assert FINANCE.outcome(reader, _on_hsn, None, write=False) is Outcome.refused
