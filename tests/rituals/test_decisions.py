"""Decisions are first-class: listed, reminded to their owner, marked done, shown on Home."""

from __future__ import annotations

from opsbot.rituals import service, store

from .conftest import bot_messages, click_open, flat


def _decide(slack, bot, people, clock, *, due: str, text: str = "Pause refunds agent"):
    clock.move_to("2026-03-30 08:00:05")
    service.tick(bot.ctx)
    message = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0]
    click_open(slack, people.alice, "Record decision", channel="ai-ops")
    people.alice.submit({"Decision": text, "Owner": "bob", "Due date": due})
    slack.wait_for(lambda: slack.replies("ai-ops", message.ts))
    return message


def _dms(slack, person) -> list:
    return [m for m in slack.messages(person.name) if m.user is None]


def test_the_owner_is_reminded_the_day_before_and_after_the_due_date(
    slack, triage_bot, people, clock
) -> None:
    """The owner gets a direct message the day before a decision is due and another once it
    is overdue, each once."""
    _decide(slack, triage_bot, people, clock, due="2026-04-01")
    clock.move_to("2026-03-31 07:59:00")  # 08:59 in London, Tuesday
    assert service.tick(triage_bot.ctx).decision_reminders == 0
    clock.move_to("2026-03-31 08:00:30")
    assert service.tick(triage_bot.ctx).decision_reminders == 1
    assert service.tick(triage_bot.ctx).decision_reminders == 0
    before = slack.wait_for(lambda: _dms(slack, people.bob))[0]
    assert "due Wed 01 Apr 2026" in before.text and "Pause refunds agent" in before.text
    clock.move_to("2026-04-02 08:00:30")
    assert service.tick(triage_bot.ctx).decision_reminders == 1
    after = slack.wait_for(lambda: _dms(slack, people.bob)[1:])[0]
    assert "still open" in after.text
    assert _dms(slack, people.alice) == []


def test_done_in_the_reminder_closes_the_decision(slack, triage_bot, people, clock) -> None:
    """Done on the reminder marks the decision done, replaces the reminder and says so in the
    occurrence's thread; no overdue reminder follows."""
    message = _decide(slack, triage_bot, people, clock, due="2026-04-01")
    clock.move_to("2026-03-31 08:00:30")
    service.tick(triage_bot.ctx)
    slack.wait_for(lambda: _dms(slack, people.bob))
    people.bob.click("Done", channel="bob")
    slack.wait_for(lambda: "marked a decision done" in _dms(slack, people.bob)[0].text)
    slack.wait_for(
        lambda: [
            r for r in slack.replies("ai-ops", message.ts) if "marked a decision done" in r.text
        ]
    )
    with triage_bot.ctx.tx() as session:
        [decision] = store.decisions(session)
    assert (decision.status, decision.done_by) == ("done", people.bob.id)
    clock.move_to("2026-04-02 08:00:30")
    assert service.tick(triage_bot.ctx).decision_reminders == 0


def test_ritual_decisions_lists_open_ones_with_a_done_button(
    slack, triage_bot, people, clock
) -> None:
    """`/ritual decisions` lists open decisions with owner, due date and Done; `all` also
    lists the done ones."""
    _decide(slack, triage_bot, people, clock, due="2026-04-03")
    people.carol.command("/ritual", "decisions", channel="general")
    listing = slack.wait_for(lambda: people.carol.ephemerals())[0]
    text = flat(listing.blocks)
    assert "Open decisions" in text and "Pause refunds agent" in text
    assert f"Owner <@{people.bob.id}>" in text and "due Fri 03 Apr 2026" in text
    people.carol.click("Done", channel="general")
    slack.wait_for(lambda: "none" in people.carol.ephemerals()[0].text)
    people.carol.command("/ritual", "decisions all", channel="general")
    everything = slack.wait_for(lambda: people.carol.ephemerals()[1:])[0]
    assert "done" in flat(everything.blocks) and "Pause refunds agent" in flat(everything.blocks)


def test_overdue_decisions_are_listed_by_the_triage(slack, triage_bot, people, clock) -> None:
    """An open decision past its due date appears under overdue decisions in the triage."""
    _decide(slack, triage_bot, people, clock, due="2026-03-30")
    tuesday_posts = len(bot_messages(slack, "ai-ops")) + 1
    clock.move_to("2026-03-31 08:00:05")
    service.tick(triage_bot.ctx)
    tuesday = slack.wait_for(lambda: bot_messages(slack, "ai-ops")[tuesday_posts - 1 :])[0]
    assert "Overdue decisions" in flat(tuesday.blocks)
    assert f"Pause refunds agent: <@{people.bob.id}>, due Mon 30 Mar" in flat(tuesday.blocks)


def test_app_home_shows_my_check_ins_and_decisions_due(slack, triage_bot, people, clock) -> None:
    """App Home shows the viewer's check-ins due (with Check in, which opens the modal) and the
    decisions they own."""
    _decide(slack, triage_bot, people, clock, due="2026-04-03")
    people.bob.open_home()
    home = slack.wait_for(lambda: slack.home_view("bob"))
    text = flat(home["blocks"])
    assert "Check-in due:" in text and "Daily exception triage" in text
    assert "Decision due Fri 03 Apr 2026" in text and "Pause refunds agent" in text
    people.bob.click("Check in", in_home=True)
    slack.wait_for(lambda: slack.open_views("bob"))
    people.bob.submit({"Anything blocked?": "no"})
    people.bob.open_home()
    slack.wait_for(lambda: "Check-in due:" not in flat(slack.home_view("bob")["blocks"]))
    people.carol.open_home()
    carol = slack.wait_for(lambda: slack.home_view("carol"))
    assert "No check-ins or decisions due from you." in flat(carol["blocks"])
