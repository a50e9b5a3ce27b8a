"""Ids of the demo data's records, the same in every service.

The services' demo data is loaded into each service's own database, without the others running, yet an
audit action must name the goals and indicators it should move. So the demo's goals and indicators get
ids derived from their keys in the demo data, which the other services' demo data names them by.
Records made through the API get random ids as ever.
"""

from __future__ import annotations

import uuid

_DEMO = uuid.UUID("5d1b0b6e-2f0c-4c8e-9a57-7f3c1e0d5a21")


def demo_goal_id(key: str) -> uuid.UUID:
    """The id of the demo goal with this key in services/goals/demo/steering.json (e.g. "RF-EK")."""
    return uuid.uuid5(_DEMO, f"goal:{key}")


def demo_indicator_id(key: str) -> uuid.UUID:
    """The id of the demo indicator with this key in services/goals/demo/steering.json (e.g. "S4-RES")."""
    return uuid.uuid5(_DEMO, f"indicator:{key}")
