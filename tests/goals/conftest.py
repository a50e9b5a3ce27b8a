"""Helpers for the goals tests: find demo records through the API, as a frontend would."""

import pytest

BOARD = ("board.reader", "RS:reader")


class Demo:
    def __init__(self, stack, goals, plan):
        self.stack = stack
        self.goals = goals
        self.plan = plan

    def goal(self, title_start: str) -> dict:
        return next(g for g in self.goals if g["title"].startswith(title_start))

    def strategy(self, number: int) -> dict:
        return next(s for s in self.plan["strategies"] if s["number"] == number)


@pytest.fixture
async def demo(seeded):
    headers = seeded.auth(*BOARD)
    goals = (await seeded.client.get("/api/goals/goals?limit=500", headers=headers)).json()["items"]
    plan = (await seeded.client.get("/api/goals/plans", headers=headers)).json()["items"][0]
    return Demo(seeded, goals, plan)
