"""Who may read and change what in the audit service; object-level, decided by the record's body.

The auditors are independent: they write reports, recommendations, verdicts and statements, and
nothing of the bodies'. The bodies write their responses, actions and internal control, and
nothing of the auditors'. The routes enforce these rules through their guards (shared/auth/guard.py);
the lists show the rows the same read rules allow.
"""

from __future__ import annotations

from services.audit.models import ControlPlan, RecommendationResponse
from shared.auth.access import AUDITOR, read_record, region_role, rule, unit_role
from shared.auth.guard import Visibility
from shared.auth.policy import RegionRole, UnitRole

BODY = "the record's body"
AUDITOR_WRITES = AUDITOR
BODY_EDITS = rule(unit_role(UnitRole.editor, BODY, not_auditor=True))
BODY_REGISTERS = rule(unit_role(UnitRole.registrar, BODY, not_auditor=True))
READ_DECIDED = read_record(BODY)
# The conversation between the auditors and the body about a recommendation and its actions.
DISCUSSION = rule(unit_role(UnitRole.editor, BODY), region_role(RegionRole.auditor))

RESPONSES_SEEN = Visibility(
    READ_DECIDED,
    unit=RecommendationResponse.body_code,
    status=RecommendationResponse.status,
    drafts=RecommendationResponse.__draft_states__,
)
PLANS_SEEN = Visibility(
    READ_DECIDED, unit=ControlPlan.body_code, status=ControlPlan.status, drafts=ControlPlan.__draft_states__
)
