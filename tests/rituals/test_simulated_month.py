"""A team runs the four default rituals for a simulated month (Monday 30 November to Thursday
31 December 2026, Europe/London, on GMT throughout), and every decision taken there is found,
followed up and closed.

The clock is driven, never slept: the month ticks the service at every scheduled time and at
every reminder and window-close time the schedules imply, plus 09:00 each day for decision
reminders; people act through the Slack stand-in between ticks.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from opsbot import outbox
from opsbot.config import parse_config
from opsbot.rituals import decisions, service, store
from opsbot.rituals.store import Occurrence
from opsbot.schedules import occurrences_between

from .conftest import bot_messages, click_open, flat

LONDON = ZoneInfo("Europe/London")
START, END = "2026-11-30 08:00", "2027-01-01 00:00"
TRIAGE, REVIEW = "daily-exception-triage", "weekly-model-workflow-review"
CALIBRATION, RETRO = "biweekly-eval-calibration", "monthly-operating-retro"

TEAM = """
timezone: Europe/London
team:
  product-ops-lead: [{alice}]
  eval-engineer: [{bob}]
  workflow-analyst: [{carol}]
  governance-partner: [{dave}]
"""


def utc(text: str) -> datetime:
    """A UTC time written ``YYYY-MM-DD HH:MM[:SS]`` (London is on GMT all month: the same)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


MONTH = (utc(START), utc(END))


class Month:
    """Drives opsbot through the month: ticks at every time the rituals imply, lets people act
    in between, and waits for delivery (letting a second pass at Slack's per-channel pace)."""

    def __init__(self, slack: Any, bot: Any, clock: Any) -> None:
        self.slack, self.bot, self.clock = slack, bot, clock
        self.ticks = self._tick_times(utc(START), utc(END))
        self.reports: list[service.TickReport] = []

    def _tick_times(self, start: datetime, end: datetime) -> list[datetime]:
        """Just after each scheduled time, each reminder, each window close, and 09:00 daily."""
        times: set[datetime] = set()
        for ritual in self.bot.ctx.config.rituals:
            for at in occurrences_between(ritual.schedule, start, end):
                posted = at + timedelta(seconds=30)
                times.add(posted)
                for minutes in ritual.remind_after_minutes:
                    times.add(posted + timedelta(minutes=minutes, seconds=30))
                times.add(posted + timedelta(minutes=ritual.window_minutes, seconds=30))
        day = start.astimezone(LONDON).date()
        while day < end.astimezone(LONDON).date():
            at = datetime.combine(day, decisions.REMIND_AT, LONDON).astimezone(UTC)
            times.add(at + timedelta(seconds=30))
            day += timedelta(days=1)
        return sorted(t for t in times if start < t < end)

    def run_until(self, moment: str) -> None:
        """Tick at every tick time up to ``moment``, then stand at ``moment``."""
        until = utc(moment)
        assert until >= self.bot.ctx.clock(), f"{moment} is past: the month runs forward"
        while self.ticks and self.ticks[0] <= until:
            self.clock.move_to(self.ticks.pop(0))
            self.reports.append(service.tick(self.bot.ctx))
            self.settle()
        self.clock.move_to(until)

    def settle(self) -> None:
        """Wait until delivery has sent everything queued."""

        def sent() -> bool:
            with self.bot.ctx.tx() as session:
                waiting = outbox.depth(session)
            if waiting:
                self.clock.tick(1)  # a message held back by the channel's pace may go
            return waiting == 0

        self.slack.wait_for(sent, timeout=10, message="delivery did not catch up")

    # ---- looking things up -------------------------------------------------------------------
    def occurrence(self, key: str, at: str) -> Occurrence:
        with self.bot.ctx.tx() as session:
            found = store.occurrence_at(session, ritual_key=key, at=utc(at))
        assert found is not None, f"no {key} at {at}"
        return found

    def message(self, key: str, at: str) -> Any:
        """The check-in message of an occurrence, as it is now."""
        occ = self.occurrence(key, at)
        with self.bot.ctx.tx() as session:
            posted = outbox.posted(session, f"occurrence:{occ.id}")
        assert posted is not None, f"{key} at {at} was never posted"
        [message] = [m for m in self.slack.messages("ai-ops") if m.ts == posted.ts]
        return message

    def thread(self, key: str, at: str) -> list[Any]:
        return self.slack.replies("ai-ops", self.message(key, at).ts)

    def summaries(self, key: str, at: str) -> list[str]:
        return [flat(r.blocks) for r in self.thread(key, at) if "Summary of" in flat(r.blocks)]

    # ---- people acting on a check-in message -------------------------------------------------
    def check_in(self, person: Any, key: str, at: str, answers: dict[str, str]) -> None:
        ts = self.message(key, at).ts
        click_open(self.slack, person, "Check in", channel="ai-ops", message_ts=ts)
        assert person.submit(answers).status == 200
        self.settle()

    def decide(self, person: Any, key: str, at: str, text: str, *, owner: str, due: str) -> None:
        ts = self.message(key, at).ts
        click_open(self.slack, person, "Record decision", channel="ai-ops", message_ts=ts)
        response = person.submit(
            {"Decision": text, "output": "Something else", "Owner": owner, "Due date": due}
        )
        assert response.status == 200 and not response.body_text, response.body_text
        self.settle()

    def skip(self, person: Any, key: str, at: str, reason: str) -> None:
        ts = self.message(key, at).ts
        click_open(self.slack, person, "Skip", channel="ai-ops", message_ts=ts)
        assert person.submit({"reason": reason}).status == 200
        self.settle()


DM_HEAD = re.compile(r"(is|was) due \w{3} \d{2} \w{3} \d{4}|marked a decision done")


def decision_id(bot: Any, text: str) -> int:
    """The id of the decision whose text starts with ``text``."""
    with bot.ctx.tx() as session:
        [found] = [d for d in store.decisions(session) if d.text.startswith(text)]
    assert found.id is not None
    return found.id


def replied(slack: Any, person: Any, words: str) -> Any:
    """The latest reply only ``person`` saw that says ``words``."""
    return slack.wait_for(lambda: [e for e in person.ephemerals() if words in e.text])[-1]


def dms(slack: Any, person: Any) -> list[Any]:
    """The decision reminders the bot sent a person directly (not the DMs that told them a
    decision was theirs)."""
    return [
        m for m in slack.messages(person.name) if m.user is None and "and you own it" not in m.text
    ]


def statuses(bot: Any) -> dict[str, list[tuple[str, str]]]:
    """Per ritual, (scheduled time in London, status) of every occurrence of the month."""
    with bot.ctx.tx() as session:
        rows = store.occurrences_between(session, start=utc(START), end=utc(END))
    found: dict[str, list[tuple[str, str]]] = {}
    for occ in rows:
        local = occ.scheduled_at.astimezone(LONDON)
        found.setdefault(occ.ritual_key, []).append((f"{local:%a %d %b %H:%M}", occ.status))
    return found


def weekdays(first: date, last: date) -> list[date]:
    """Monday to Friday from ``first`` to ``last``, both included."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]


def test_the_default_schedules_fall_on_the_right_days_of_the_month() -> None:
    """In the month from Monday 30 November the defaults fall on every weekday (triage), every
    Tuesday (review), the Mondays of even weeks from the 5 January anchor (calibration) and the
    first Thursday of December (retro)."""
    config = parse_config("timezone: Europe/London")
    found = {
        r.key: [f"{at:%a %d %b %H:%M}" for at in occurrences_between(r.schedule, *MONTH)]
        for r in config.rituals
    }
    assert found[TRIAGE] == [
        f"{d:%a %d %b} 09:00" for d in weekdays(date(2026, 11, 30), date(2026, 12, 31))
    ]
    assert len(found[TRIAGE]) == 24
    assert found[REVIEW] == [f"Tue {d:02d} Dec 15:00" for d in (1, 8, 15, 22, 29)]
    assert found[CALIBRATION] == ["Mon 07 Dec 10:00", "Mon 21 Dec 10:00"]  # not 30 Nov, 14, 28
    assert (date(2026, 12, 7) - date(2026, 1, 5)).days % 14 == 0
    assert found[RETRO] == ["Thu 03 Dec 16:00"]


def test_a_team_runs_the_four_rituals_for_a_month(start_bot, slack, clock) -> None:
    """Over a month each occurrence is posted once at its time, then answered, skipped or missed,
    reminded and summarized, and every decision recorded there is reminded, listed, and closed
    with Done from a reminder, the decision list or App Home."""
    team = SimpleNamespace(**{n: slack.person(n) for n in ("alice", "bob", "carol", "dave")})
    clock.move_to(START)
    bot = start_bot(TEAM, **{n: p.id for n, p in vars(team).items()})
    month = Month(slack, bot, clock)

    first_week(month, team)
    second_week(month, team)
    third_week(month, team)
    fourth_week(month, team)
    last_days(month, team)
    month.run_until("2026-12-31 23:59")

    every_occurrence_posted_once_and_ended(month)
    every_decision_followed_up_and_found(month, team)


def first_week(month: Month, team: SimpleNamespace) -> None:
    """Decisions from the triage and the review, reminded, closed from the list and a DM; the
    retro with both owners, one reminded."""
    slack, alice, bob, carol, dave = month.slack, team.alice, team.bob, team.carol, team.dave
    month.run_until("2026-11-30 09:05")
    month.check_in(alice, TRIAGE, "2026-11-30 09:00", {"q0": "Refund overrides tripled"})
    month.decide(
        alice,
        TRIAGE,
        "2026-11-30 09:00",
        "Investigate refund overrides",
        owner="bob",
        due="2026-12-02",
    )
    month.run_until("2026-11-30 13:05")
    [summary] = month.summaries(TRIAGE, "2026-11-30 09:00")
    assert f"Took part: <@{alice.id}>" in summary and "Refund overrides tripled" in summary
    assert f"Investigate refund overrides: owner <@{bob.id}>, due Wed 02 Dec 2026" in summary
    closed = flat(month.message(TRIAGE, "2026-11-30 09:00").blocks)
    assert "decisions recorded: 1" in closed and "the summary is in the thread" in closed

    month.run_until("2026-12-01 09:05")
    [before] = dms(slack, bob)  # Tuesday 09:00, the day before it is due
    assert "is due Wed 02 Dec 2026" in before.text and "Investigate refund overrides" in before.text
    month.check_in(alice, TRIAGE, "2026-12-01 09:00", {"q0": "Nothing new"})
    month.run_until("2026-12-01 15:05")
    month.check_in(carol, REVIEW, "2026-12-01 15:00", {"q0": "Prompt v12 shipped"})
    month.decide(
        carol, REVIEW, "2026-12-01 15:00", "Roll back prompt v12", owner="carol", due="2026-12-04"
    )
    month.run_until("2026-12-02 09:05")
    [review] = month.summaries(REVIEW, "2026-12-01 15:00")
    assert "Prompt v12 shipped" in review
    assert f"Roll back prompt v12: owner <@{carol.id}>, due Fri 04 Dec 2026" in review
    month.check_in(alice, TRIAGE, "2026-12-02 09:00", {"q0": "Nothing new"})

    month.run_until("2026-12-03 09:05")
    assert "was due Wed 02 Dec 2026 and is still open" in dms(slack, bob)[1].text
    thursday = flat(month.message(TRIAGE, "2026-12-03 09:00").blocks)
    assert f"Investigate refund overrides: <@{bob.id}>, due Wed 02 Dec" in thursday
    month.check_in(alice, TRIAGE, "2026-12-03 09:00", {"q0": "Refund overrides are back down"})
    bob.command("/ritual", "decisions open", channel="general")
    listing = flat(replied(slack, bob, "Open decisions").blocks)
    assert "Open decisions* (2)" in listing and "*overdue*" in listing
    assert "Investigate refund overrides" in listing and "Roll back prompt v12" in listing
    bob.click("Done", channel="general", value=f"{decision_id(month.bot, 'Investigate')}|open")
    slack.wait_for(lambda: "You marked decision" in flat(bob.ephemerals()[-1].blocks))
    assert "Open decisions* (1)" in flat(bob.ephemerals()[-1].blocks)
    month.settle()
    [reminder] = dms(slack, carol)
    assert "is due Fri 04 Dec 2026" in reminder.text and "Roll back prompt v12" in reminder.text
    carol.click("Done", channel="carol", message_ts=reminder.ts)
    slack.wait_for(lambda: "You marked decision" in flat(dms(slack, carol)[0].blocks))
    month.settle()
    notes = [r.text for r in month.thread(REVIEW, "2026-12-01 15:00") if "done:" in r.text]
    rollback = decision_id(month.bot, "Roll back")
    assert notes == [
        f":white_check_mark: <@{carol.id}> marked decision {rollback} done: Roll back prompt v12"
    ]

    month.run_until("2026-12-03 16:10")
    retro = flat(month.message(RETRO, "2026-12-03 16:00").blocks)
    assert "Decisions done since Thu 05 Nov" in retro  # the period since November's retro
    assert "Investigate refund overrides" in retro and "Roll back prompt v12" in retro
    month.check_in(dave, RETRO, "2026-12-03 16:00", {"q0": "Two refund incidents"})
    month.decide(
        dave,
        RETRO,
        "2026-12-03 16:00",
        "Executive review of the autonomy trade-off",
        owner="dave",
        due="2026-12-31",
    )
    month.run_until("2026-12-04 09:05")
    nudges = [r.text for r in month.thread(RETRO, "2026-12-03 16:00") if "reminder" in r.text]
    assert len(nudges) == 1  # four hours in: alice had not checked in, dave had
    assert f"<@{alice.id}>" in nudges[0] and f"<@{dave.id}>" not in nudges[0]
    month.check_in(alice, TRIAGE, "2026-12-04 09:00", {"q0": "Quiet"})
    month.run_until("2026-12-04 10:00")
    month.check_in(alice, RETRO, "2026-12-03 16:00", {"q2": "Stop deploying on Fridays"})
    month.run_until("2026-12-05 16:05")  # the retro's two-day window ends
    [summary] = month.summaries(RETRO, "2026-12-03 16:00")
    assert f"Took part: <@{dave.id}>, <@{alice.id}>" in summary
    assert "Two refund incidents" in summary and "Stop deploying on Fridays" in summary
    assert f"Executive review of the autonomy trade-off: owner <@{dave.id}>" in summary
    assert len([r for r in month.thread(RETRO, "2026-12-03 16:00") if "reminder" in r.text]) == 1


def second_week(month: Month, team: SimpleNamespace) -> None:
    """A calibration with a decision; Friday's triage goes unanswered, is nudged twice and
    closes as missed."""
    alice, bob, carol = team.alice, team.bob, team.carol
    month.run_until("2026-12-07 09:05")
    month.check_in(alice, TRIAGE, "2026-12-07 09:00", {"q0": "Nothing new"})
    month.run_until("2026-12-07 10:05")
    month.check_in(bob, CALIBRATION, "2026-12-07 10:00", {"q0": "Cases from the refund incidents"})
    month.decide(
        bob,
        CALIBRATION,
        "2026-12-07 10:00",
        "Add 20 refund eval cases",
        owner="bob",
        due="2026-12-14",
    )
    month.run_until("2026-12-08 09:05")
    month.check_in(alice, TRIAGE, "2026-12-08 09:00", {"q0": "Nothing new"})
    month.run_until("2026-12-08 15:05")
    month.check_in(carol, REVIEW, "2026-12-08 15:00", {"q1": "Refund suite up 4 points"})
    for day in ("2026-12-09", "2026-12-10"):
        month.run_until(f"{day} 09:05")
        month.check_in(alice, TRIAGE, f"{day} 09:00", {"q0": "Nothing new"})
    month.run_until("2026-12-11 10:30")  # Friday: nobody checks in
    alice.open_home()
    home = flat(month.slack.wait_for(lambda: month.slack.home_view("alice"))["blocks"])
    assert "Check-in due:* Daily exception triage, Fri 11 Dec 09:00 GMT" in home
    month.run_until("2026-12-11 13:05")
    nudges = [r.text for r in month.thread(TRIAGE, "2026-12-11 09:00") if "reminder" in r.text]
    assert len(nudges) == 2 and all(f"<@{alice.id}>" in n for n in nudges)
    [missed] = month.summaries(TRIAGE, "2026-12-11 09:00")
    assert "Nobody checked in" in missed and "recorded as missed" in missed
    assert "Closed with nobody checked in" in flat(month.message(TRIAGE, "2026-12-11 09:00").blocks)


def third_week(month: Month, team: SimpleNamespace) -> None:
    """Monday's triage reports Friday's miss (once); App Home shows each viewer their
    decisions, and Done there closes one."""
    slack, alice, bob, carol, dave = month.slack, team.alice, team.bob, team.carol, team.dave
    month.run_until("2026-12-14 09:05")
    assert "is due Mon 14 Dec 2026" in dms(slack, bob)[2].text  # sent Sunday 09:00
    monday = flat(month.message(TRIAGE, "2026-12-14 09:00").blocks)
    assert "daily-exception-triage of Fri 11 Dec 09:00 (nobody checked in)" in monday
    month.check_in(alice, TRIAGE, "2026-12-14 09:00", {"q0": "Nothing new"})
    dave.open_home()
    home = flat(slack.wait_for(lambda: slack.home_view("dave"))["blocks"])
    assert "due Thu 31 Dec 2026" in home and "Executive review" in home
    assert "Add 20 refund eval cases" not in home
    bob.open_home()
    home = flat(slack.wait_for(lambda: slack.home_view("bob"))["blocks"])
    assert "due Mon 14 Dec 2026" in home and "Add 20 refund eval cases" in home
    bob.click("Done", in_home=True)
    slack.wait_for(
        lambda: "No check-ins or decisions due from you." in flat(slack.home_view("bob")["blocks"])
    )
    month.settle()
    for day in ("2026-12-15", "2026-12-16", "2026-12-17", "2026-12-18"):
        month.run_until(f"{day} 09:05")
        month.check_in(alice, TRIAGE, f"{day} 09:00", {"q0": "Nothing new"})
        if day == "2026-12-15":
            tuesday = flat(month.message(TRIAGE, "2026-12-15 09:00").blocks)
            assert "No missed occurrences." in tuesday
            month.run_until(f"{day} 15:05")
            month.check_in(carol, REVIEW, f"{day} 15:00", {"q2": "Escalations flat"})


def fourth_week(month: Month, team: SimpleNamespace) -> None:
    """The review is skipped from its message with a reason; Christmas Day's triage is skipped
    ahead with `/ritual skip`, and `/ritual list` then names the one after it."""
    slack, alice, bob, carol = month.slack, team.alice, team.bob, team.carol
    for day in ("2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"):
        month.run_until(f"{day} 09:05")
        month.check_in(alice, TRIAGE, f"{day} 09:00", {"q0": "Nothing new"})
        if day == "2026-12-21":
            month.run_until(f"{day} 10:05")
            month.check_in(bob, CALIBRATION, f"{day} 10:00", {"q3": "Thresholds hold"})
        if day == "2026-12-22":
            month.run_until(f"{day} 15:05")
            month.skip(carol, REVIEW, f"{day} 15:00", "Holiday change freeze: nothing shipped")
    skipped = flat(month.message(REVIEW, "2026-12-22 15:00").blocks)
    assert f"Skipped by <@{carol.id}>: Holiday change freeze: nothing shipped" in skipped
    assert "Record decision" not in skipped
    assert not [r for r in month.thread(REVIEW, "2026-12-22 15:00") if "reminder" in r.text]
    month.run_until("2026-12-24 14:00")
    alice.command("/ritual", "skip daily-exception-triage Christmas Day", channel="general")
    replied(slack, alice, "Skipped Daily exception triage of Fri 25 Dec 09:00")
    month.settle()
    notice = bot_messages(slack, "ai-ops")[-1].text
    assert notice.endswith(
        "skipped the next Daily exception triage (Fri 25 Dec 09:00 GMT): Christmas Day. "
        "`/ritual unskip daily-exception-triage` brings it back."
    )
    alice.command("/ritual", "list", channel="general")
    rituals = replied(slack, alice, "Rituals").text
    assert "(`daily-exception-triage`): next Mon 28 Dec 2026 09:00 GMT" in rituals
    assert f"skipped by <@{alice.id}>: Fri 25 Dec 09:00 GMT: Christmas Day" in rituals


def last_days(month: Month, team: SimpleNamespace) -> None:
    """The last review records a decision due after the month, so it stays open."""
    for day in ("2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31"):
        month.run_until(f"{day} 09:05")
        month.check_in(team.alice, TRIAGE, f"{day} 09:00", {"q0": "Nothing new"})
        if day == "2026-12-29":
            month.run_until(f"{day} 15:05")
            month.check_in(team.carol, REVIEW, f"{day} 15:00", {"q0": "Routing change at 10%"})
            month.decide(
                team.carol,
                REVIEW,
                f"{day} 15:00",
                "Widen the routing change",
                owner="alice",
                due="2027-01-08",
            )


def every_occurrence_posted_once_and_ended(month: Month) -> None:
    """Each occurrence claimed once at its time, posted once (Christmas not at all), ended as it
    should, and summarized once unless skipped; the schedules carry on into January."""
    found = statuses(month.bot)
    triage = dict(found[TRIAGE])
    assert len(triage) == 24
    assert Counter(triage.values()) == {"closed": 22, "missed": 1, "skipped": 1}
    assert triage["Fri 11 Dec 09:00"] == "missed" and triage["Fri 25 Dec 09:00"] == "skipped"
    assert found[REVIEW] == [
        ("Tue 01 Dec 15:00", "closed"),
        ("Tue 08 Dec 15:00", "closed"),
        ("Tue 15 Dec 15:00", "closed"),
        ("Tue 22 Dec 15:00", "skipped"),
        ("Tue 29 Dec 15:00", "closed"),
    ]
    assert found[CALIBRATION] == [("Mon 07 Dec 10:00", "closed"), ("Mon 21 Dec 10:00", "closed")]
    assert found[RETRO] == [("Thu 03 Dec 16:00", "closed")]
    reports = month.reports
    assert sum(len(r.claimed) for r in reports) == 23 + 5 + 2 + 1
    assert sum(len(r.closed) for r in reports) == 23 + 4 + 2 + 1
    assert sum(r.reminders for r in reports) == 1 + 2  # the retro's, and missed Friday's two
    assert sum(r.decision_reminders for r in reports) == 5

    posts = Counter(
        m.text.partition(":")[0]
        for m in bot_messages(month.slack, "ai-ops")
        if m.text.endswith("Check in with your answers.")
    )
    assert posts == {
        "Daily exception triage": 23,
        "Weekly model and workflow review": 5,
        "Biweekly eval calibration": 2,
        "Monthly operating retrospective": 1,
    }
    with month.bot.ctx.tx() as session:
        ended = store.occurrences_between(session, start=utc(START), end=utc(END))
        assert outbox.failures(session) == []
    for occ in ended:
        if occ.posted_at is not None:
            at = f"{occ.scheduled_at:%Y-%m-%d %H:%M}"
            expected = 0 if occ.status == store.SKIPPED else 1
            assert len(month.summaries(occ.ritual_key, at)) == expected, (occ.ritual_key, at)

    reader = month.slack.person("dave")
    reader.command("/ritual", "list", channel="general")
    rituals = replied(month.slack, reader, "Rituals").text
    for key, nxt in (
        (TRIAGE, "Fri 01 Jan 2027 09:00"),
        (REVIEW, "Tue 05 Jan 2027 15:00"),
        (CALIBRATION, "Mon 04 Jan 2027 10:00"),  # two weeks on, across 2026's 53rd week
        (RETRO, "Thu 07 Jan 2027 16:00"),
    ):
        assert f"(`{key}`): next {nxt} GMT" in rituals


def every_decision_followed_up_and_found(month: Month, team: SimpleNamespace) -> None:
    """Reminders went before and after due, to the owner only and never for a done decision;
    `/ritual decisions` lists the open ones, and `all` the closed ones too."""
    slack, alice, bob, carol, dave = month.slack, team.alice, team.bob, team.carol, team.dave
    assert [_dm_head(m) for m in dms(slack, bob)] == [
        "is due Wed 02 Dec 2026",
        "was due Wed 02 Dec 2026",
        "is due Mon 14 Dec 2026",
    ]
    assert [_dm_head(m) for m in dms(slack, carol)] == ["You marked decision 2 done."]  # replaced
    assert [_dm_head(m) for m in dms(slack, dave)] == ["is due Thu 31 Dec 2026"]
    assert dms(slack, alice) == []

    carol.command("/ritual", "decisions", channel="general")
    listing = flat(replied(slack, carol, "Open decisions").blocks)
    assert "Open decisions* (2)" in listing
    assert "Executive review of the autonomy trade-off" in listing
    assert "Widen the routing change" in listing and "Roll back" not in listing
    carol.command("/ritual", "decisions all", channel="general")
    everything = flat(replied(slack, carol, "All decisions").blocks)
    assert "All decisions* (5)" in everything
    for done in ("Investigate refund overrides", "Roll back prompt v12", "Add 20 refund eval"):
        assert done in everything
    assert everything.count(" · done ") == 3
    with month.bot.ctx.tx() as session:
        closed_by = {d.text: d.done_by for d in store.decisions(session, status=store.DONE)}
    assert closed_by == {
        "Investigate refund overrides": bob.id,
        "Roll back prompt v12": carol.id,
        "Add 20 refund eval cases": bob.id,
    }


def _dm_head(message: Any) -> str:
    """What a direct message says about its decision: ``is due Wed 02 Dec 2026`` and so on."""
    found = DM_HEAD.search(message.text)
    return found[0] if found else message.text
