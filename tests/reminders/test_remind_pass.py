"""One pass of the reminder job in-process: what is due when, a person who turned reminders off, the demo's log."""

import json
import logging
from datetime import UTC, date, datetime, time

from cli.remind import RemindSettings, remind_once
from shared.reminders import digest_week, stage

URLS = {"goals_url": "http://goals", "budget_url": "http://budget", "audit_url": "http://audit"}
DUE = date(2024, 5, 31)


def test_the_newest_point_reached_is_reminded_and_weekly_while_overdue():
    leads, weekly = [28, 7, 0], 7
    assert stage(DUE, date(2024, 5, 2), leads, weekly) is None
    assert stage(DUE, date(2024, 5, 3), leads, weekly) == "28"
    assert stage(DUE, date(2024, 5, 24), leads, weekly) == "7"  # not 28 again, whenever the pass runs
    assert stage(DUE, date(2024, 5, 31), leads, weekly) == "0"
    assert stage(DUE, date(2024, 6, 6), leads, weekly) == "0"  # overdue, not yet a week
    assert stage(DUE, date(2024, 6, 7), leads, weekly) == "overdue-7"
    assert stage(DUE, date(2024, 6, 20), leads, weekly) == "overdue-14"
    assert stage(DUE, date(2024, 6, 20), leads, 0) == "0"  # no overdue reminders when the region wants none


def test_the_digest_is_due_from_monday_at_eight_swedish_time():
    monday = date(2026, 12, 7)
    before = datetime.combine(monday, time(6, 59), UTC)  # 07:59 in Stockholm (UTC+1 in December)
    after = datetime.combine(monday, time(7, 0), UTC)
    assert digest_week(before, 0, time(8, 0)) == "2026-W49"  # the week before's, already due
    assert digest_week(after, 0, time(8, 0)) == "2026-W50"
    assert digest_week(datetime(2026, 12, 13, 22, 0, tzinfo=UTC), 0, time(8, 0)) == "2026-W50"


async def test_without_smtp_or_webhook_the_reminders_go_to_the_log_once(seeded, caplog):
    settings = RemindSettings(**URLS)
    caplog.set_level(logging.INFO, logger="styr.remind")
    first = await remind_once(settings, today=date(2022, 12, 24), transport=seeded.transport)
    assert first.ok
    assert first.sent == first.claimed == first.offered > 0
    logged = [r.reminder for r in caplog.records if r.getMessage() == "reminder"]
    assert len(logged) == first.sent
    assert any(r["subject"] == "anna" and r["lead"] == "7" for r in logged)
    again = await remind_once(settings, today=date(2022, 12, 24), transport=seeded.transport)
    assert (again.offered, again.claimed, again.sent) == (first.offered, 0, 0)
    mine = (await seeded.client.get("/api/me/reminders", headers=seeded.auth("anna", "HSN:editor"))).json()
    assert {(r["channel"], r["state"]) for r in mine["reminders"]} == {("log", "sent")}


async def test_a_person_who_turned_reminders_off_gets_none(seeded):
    anna = seeded.auth("anna", "HSN:editor")
    read = await seeded.client.get("/api/me/reminders", headers=anna)
    off = await seeded.client.put(
        "/api/me/reminders", json={"enabled": False}, headers={**anna, "If-Match": read.headers["ETag"]}
    )
    assert off.status_code == 200, off.text
    report = await remind_once(RemindSettings(**URLS), today=date(2022, 12, 24), transport=seeded.transport)
    assert report.sent > 0
    assert (await seeded.client.get("/api/me/reminders", headers=anna)).json()["reminders"] == []


async def test_a_service_that_does_not_answer_fails_the_pass_and_the_others_are_reminded(seeded):
    seeded.transport.down.add("budget")
    report = await remind_once(RemindSettings(**URLS), today=date(2022, 12, 24), transport=seeded.transport)
    assert report.missing == ["budget"]
    assert not report.ok
    assert report.sent > 0


async def test_a_pruned_claim_never_sends_its_reminder_again(seeded, caplog):
    """With no overdue reminders, an open task's on-the-day reminder stays due for ever: the pass that prunes
    its claim, over a year later, must not send it again, nor must a pass run again as on the first day."""
    settings = RemindSettings(**URLS, overdue_every_days=0)
    caplog.set_level(logging.INFO, logger="styr.remind")

    def sent() -> list[str]:
        keys = [r.reminder["key"] for r in caplog.records if r.getMessage() == "reminder"]
        caplog.clear()
        return keys

    first = await remind_once(settings, today=date(2022, 12, 31), transport=seeded.transport)
    before = sent()
    assert first.sent == len(before) > 0
    on_the_day = [key for key in before if key.endswith("|2022-12-31|0")]
    assert on_the_day, before  # due for ever while the task is open, with overdue reminders off

    later = await remind_once(settings, today=date(2024, 2, 10), transport=seeded.transport)
    assert later.ok
    # Every item's claim of the first pass was reached before the kept window (the digest's week is today's).
    assert later.pruned >= len([key for key in before if "|digest|" not in key])
    assert not set(sent()) & set(before)

    again = await remind_once(settings, today=date(2022, 12, 31), transport=seeded.transport)
    assert (again.offered, again.claimed, again.sent) == (first.offered, 0, 0)
    assert sent() == []


async def test_a_response_due_is_reminded_to_the_people_whose_task_list_holds_it(seeded, tmp_path, caplog):
    """A body owes a response, no person: it is in the task list of the body's editors and registrars (roles
    reaching down the tree), so with the identity provider's role assignments the job reminds exactly them."""
    report = {
        "title": "Granskning av väntetider",
        "audit_year": 2026,
        "received_on": "2026-01-15",
        "recipients": [{"body_code": "HSN", "diary_number": "HSN/1/2026"}],
        "recommendations": [{"body_code": "HSN", "text": "Följ upp väntetiderna.", "response_due_on": "2026-03-31"}],
    }
    made = await seeded.client.post("/api/audit/reports", headers=seeded.auth("revisor", "auditor"), json=report)
    assert made.status_code == 201, made.text
    link = f"/api/audit/recommendations/{made.json()['recommendations'][0]['id']}"
    today = date(2026, 3, 24)
    holders = {
        "hanna": ["HSN:editor"],
        "anna": ["HSN:registrar"],
        "rut": ["HSN:reader"],  # reads it, writes no response
        "pv": ["PV:editor"],  # below HSN: not HSN's to answer
        "rf": ["RF:editor"],  # the council's roles stay on the council
        "ada": ["admin"],
    }
    caplog.set_level(logging.INFO, logger="styr.remind")

    def reminded() -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for record in caplog.records:
            if record.getMessage() == "reminder" and record.reminder["lead"] != "digest":
                for task in record.reminder["tasks"]:
                    if task["kind"] == "response":
                        found.setdefault(record.reminder["subject"], set()).add(task["link"])
        caplog.clear()
        return found

    unknown = await remind_once(RemindSettings(**URLS), today=today, transport=seeded.transport)
    assert unknown.ok
    assert reminded() == {}  # no one is known to hold the roles: it stays in their task lists only

    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"subject": s, "name": s.title(), "roles": r} for s, r in holders.items()]))
    known = await remind_once(RemindSettings(**URLS, people_file=people), today=today, transport=seeded.transport)
    assert known.ok
    sent = reminded()
    assert link in sent["hanna"]
    for subject, roles in holders.items():
        query = {"as_of": today.isoformat(), "within_days": 28}  # each due point (28 days before) is reached
        mine = await seeded.client.get("/api/me/tasks", params=query, headers=seeded.auth(subject, *roles))
        listed = {t["link"] for t in mine.json()["items"] if t["kind"] == "response"}
        assert sent.get(subject, set()) == listed, subject
    assert set(sent) == {"hanna", "anna"}

    again = await remind_once(RemindSettings(**URLS, people_file=people), today=today, transport=seeded.transport)
    assert (again.claimed, reminded()) == (0, {})


async def test_a_role_file_that_cannot_be_read_fails_the_pass_not_the_others(seeded, tmp_path):
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"subject": "hanna", "roles": ["HSN:boss"]}]))
    report = await remind_once(
        RemindSettings(**URLS, people_file=people), today=date(2022, 12, 24), transport=seeded.transport
    )
    assert report.missing == ["REMINDERS_PEOPLE_FILE"]
    assert report.sent > 0
