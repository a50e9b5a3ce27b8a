"""Who may read and change what in the goals service; object-level, decided by the record's unit.

The routes enforce these rules through their guards (shared/auth/guard.py), on the records the loaders in
dependencies.py find; the lists, read models and exports show the rows the same read rules allow, through
one Visibility filter per model.
"""

from __future__ import annotations

from sqlalchemy import func, select

from services.goals.models import Activity, Goal, Indicator, OrgUnit, Plan, Strategy
from shared.auth.access import (
    ANY_ROLE,
    COUNCIL,
    change_record,
    editor,
    gateway_for,
    read_record,
    region_role,
    registrar,
    rule,
    scope,
    unit_role,
    writer,
)
from shared.auth.guard import Visibility
from shared.auth.policy import RegionRole, UnitKind, UnitRole

WRITE_MEASUREMENTS_SCOPE = "write:measurements"

# The gateway reads the tree as itself (a service token with no roles) to expand every caller's roles.
ORG_TREE_READ = ANY_ROLE | rule(gateway_for("expanding callers' roles down the tree"))

# Goals: a draft is its unit's; decided, any role reads it and only the unit's registrar changes it.
GOAL_UNIT = "the goal's unit"
GOAL_READ = read_record(GOAL_UNIT)
GOAL_CHANGE = change_record(GOAL_UNIT).noting("moving it to another unit needs the same there")
GOAL_DECIDE = registrar(GOAL_UNIT).hiding_drafts_of(GOAL_UNIT)
GOAL_CREATE = editor(GOAL_UNIT)
# The unit's editors and the auditors discuss a goal (shared/comments.py); a draft's only with those who read it.
GOAL_COMMENT = rule(unit_role(UnitRole.editor, GOAL_UNIT), region_role(RegionRole.auditor)).hiding_drafts_of(GOAL_UNIT)
GOAL_FOLLOW_UP = editor(GOAL_UNIT).hiding_drafts_of(GOAL_UNIT).noting("If-Match when a follow-up is there already")

# The council's plans and their strategies.
PLAN_READ = read_record(COUNCIL)
PLAN_CHANGE = change_record(COUNCIL)
PLAN_CREATE = editor(COUNCIL)
PLAN_DECIDE = registrar(COUNCIL).hiding_drafts_of(COUNCIL)

# An indicator measures a goal (its unit) or a strategy (the council's), and is a draft while it is.
OWNER = "the measured goal's unit (the council for a strategy)"
INDICATOR_READ = read_record(OWNER)
INDICATOR_CHANGE = change_record(OWNER)
MEASURE = rule(unit_role(UnitRole.editor, OWNER), scope(WRITE_MEASUREMENTS_SCOPE)).hiding_drafts_of(OWNER)
# An import checks each row: the rows' indicators the caller may not read are as if absent.
IMPORT_MEASURES = rule(writer(f"editor on its indicator's unit, or the {WRITE_MEASUREMENTS_SCOPE} scope"))

# Assignments are public record; activities are drafts while the goal they serve is one.
ISSUER = "the issuing body"
ASSIGNEE = "the assignee"
ASSIGNMENT_CREATE = editor(ISSUER).noting("registrar on it when a decision is recorded")
ASSIGNMENT_DECISION = registrar(ISSUER)
ASSIGNMENT_CHANGE = rule(unit_role(UnitRole.editor, ISSUER), unit_role(UnitRole.editor, ASSIGNEE)).noting(
    "the assignee's editors change the status only"
)
ASSIGNMENT_ISSUER_CHANGE = editor(ISSUER)
ASSIGNMENT_FOLLOW_UP = editor(ASSIGNEE)
ACTIVITY_UNIT = "the activity's unit"
ACTIVITY_READ = read_record(ACTIVITY_UNIT).noting("a draft: the goal it serves is a draft")
ACTIVITY_CREATE = editor(ACTIVITY_UNIT)
ACTIVITY_CHANGE = editor(ACTIVITY_UNIT).hiding_drafts_of(ACTIVITY_UNIT)

# Report production: an open edition is a draft; completed, it is decided.
REPORT_UNIT = "the report's unit (the board for the region's report)"
SECTION_UNIT = "the section's unit"
EDITION_READ = read_record(REPORT_UNIT).noting("an open edition also to those who read a section's unit's drafts")
EDITION_CREATE = editor(REPORT_UNIT)
SECTION_WRITE = editor(SECTION_UNIT).hiding_drafts_of(REPORT_UNIT)
SECTION_COMMENT = editor(SECTION_UNIT).hiding_drafts_of(REPORT_UNIT)
EDITION_COMPLETION = rule(gateway_for(f"registrar on {REPORT_UNIT}")).hiding_drafts_of(REPORT_UNIT)
EDITION_REGISTRAR = registrar(REPORT_UNIT)

_THE_COUNCILS_CODE = select(OrgUnit.code).where(OrgUnit.kind == UnitKind.council).scalar_subquery()
_ACTIVITY_UNITS_CODE = select(OrgUnit.code).where(OrgUnit.id == Activity.unit_id).scalar_subquery()

# Every query of goals joins the goal's unit (OrgUnit), whose code the filter reads.
GOALS_SEEN = Visibility(GOAL_READ, unit=OrgUnit.code, status=Goal.status, drafts=Goal.__draft_states__)
PLANS_SEEN = Visibility(PLAN_READ, unit=_THE_COUNCILS_CODE, status=Plan.status, drafts=Plan.__draft_states__)
# An activity's queries join the goal it serves, whose state is the activity's.
ACTIVITIES_SEEN = Visibility(ACTIVITY_READ, unit=_ACTIVITY_UNITS_CODE, status=Goal.status, drafts=Goal.__draft_states__)
# An indicator's queries read the unit and state of what it measures: its goal's, or the council's plan's.
INDICATOR_UNIT_CODE = func.coalesce(
    select(OrgUnit.code).join(Goal, Goal.unit_id == OrgUnit.id).where(Goal.id == Indicator.goal_id).scalar_subquery(),
    _THE_COUNCILS_CODE,
)
_INDICATOR_OWNERS_STATUS = func.coalesce(
    select(Goal.status).where(Goal.id == Indicator.goal_id).scalar_subquery(),
    select(Plan.status)
    .join(Strategy, Strategy.plan_id == Plan.id)
    .where(Strategy.id == Indicator.strategy_id)
    .scalar_subquery(),
)
INDICATORS_SEEN = Visibility(
    INDICATOR_READ, unit=INDICATOR_UNIT_CODE, status=_INDICATOR_OWNERS_STATUS, drafts=Goal.__draft_states__
)
