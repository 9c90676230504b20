"""Decisions are first-class: numbered, their owner told by DM and reminded, closed by the
people who may (with a confirmation and Undo), listed with who closed them, shown on Home."""

from __future__ import annotations

from opsbot.rituals import service, store
from tests.concurrently import at_once

from .conftest import OUTPUT, TRIAGE, bot_messages, click_open, flat


def _decide(slack, bot, people, clock, *, due: str, text: str = "Pause refunds agent"):
    clock.move_to("2026-03-30 08:00:05")
    service.tick(bot.ctx)
    message = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0]
    click_open(slack, people.alice, "Record decision", channel="ai-ops")
    people.alice.submit(
        {"Decision": text, OUTPUT: "Something else", "Owner": "bob", "Due date": due}
    )
    slack.wait_for(lambda: slack.replies("ai-ops", message.ts))
    return message


def _dms(slack, person) -> list:
    return [m for m in slack.messages(person.name) if m.user is None]


def _thread_says(slack, message, words: str) -> list:
    return slack.wait_for(
        lambda: [r for r in slack.replies("ai-ops", message.ts) if words in r.text]
    )


def test_a_decision_is_numbered_and_its_owner_told_by_dm(slack, triage_bot, people, clock) -> None:
    """Recording a decision posts it in the thread with its number, and its owner gets a DM
    naming it, its due date and how to close it, with Done."""
    message = _decide(slack, triage_bot, people, clock, due="2026-04-01")
    [posted] = slack.replies("ai-ops", message.ts)
    assert posted.text.startswith(f"<@{people.alice.id}> recorded decision 1: Pause refunds")
    [dm] = slack.wait_for(lambda: _dms(slack, people.bob))
    assert f"<@{people.alice.id}> recorded decision 1 in *Daily exception triage*" in dm.text
    assert "due Wed 01 Apr 2026: Pause refunds agent" in dm.text
    assert "`/ritual done 1`" in flat(dm.blocks) and "Done" in flat(dm.blocks)
    assert _dms(slack, people.alice) == []


def test_the_owner_is_reminded_the_day_before_and_after_the_due_date(
    slack, triage_bot, people, clock
) -> None:
    """The owner gets a direct message the day before a decision is due and another once it
    is overdue, each once."""
    _decide(slack, triage_bot, people, clock, due="2026-04-01")
    slack.wait_for(lambda: _dms(slack, people.bob))  # the assignment
    clock.move_to("2026-03-31 07:59:00")  # 08:59 in London, Tuesday
    assert service.tick(triage_bot.ctx).decision_reminders == 0
    clock.move_to("2026-03-31 08:00:30")
    assert service.tick(triage_bot.ctx).decision_reminders == 1
    assert service.tick(triage_bot.ctx).decision_reminders == 0
    before = slack.wait_for(lambda: _dms(slack, people.bob)[1:])[0]
    assert "Decision 1 is due Wed 01 Apr 2026" in before.text
    assert "Pause refunds agent" in before.text
    clock.move_to("2026-04-02 08:00:30")
    assert service.tick(triage_bot.ctx).decision_reminders == 1
    after = slack.wait_for(lambda: _dms(slack, people.bob)[2:])[0]
    assert "still open" in after.text
    assert _dms(slack, people.alice) == []


def test_done_in_a_dm_confirms_with_undo_and_undo_reopens(slack, triage_bot, people, clock) -> None:
    """Done on the owner's DM marks the decision done, turns the DM into a confirmation with
    Undo and says so in the thread; Undo opens it again (said in the thread too), and no
    overdue reminder follows a decision done for good."""
    message = _decide(slack, triage_bot, people, clock, due="2026-04-01")
    slack.wait_for(lambda: _dms(slack, people.bob))
    people.bob.click("Done", channel="bob")
    slack.wait_for(lambda: "You marked decision 1 done" in flat(_dms(slack, people.bob)[0].blocks))
    _thread_says(slack, message, f"<@{people.bob.id}> marked decision 1 done")
    people.bob.click("Undo", channel="bob")
    slack.wait_for(lambda: "is open again" in flat(_dms(slack, people.bob)[0].blocks))
    _thread_says(slack, message, f"<@{people.bob.id}> reopened decision 1")
    with triage_bot.ctx.tx() as session:
        [decision] = store.decisions(session)
    assert (decision.status, decision.done_by, decision.done_at) == ("open", None, None)
    people.bob.click("Done", channel="bob")
    slack.wait_for(lambda: "You marked decision 1 done" in flat(_dms(slack, people.bob)[0].blocks))
    clock.move_to("2026-04-02 08:00:30")
    assert service.tick(triage_bot.ctx).decision_reminders == 0


def test_ritual_decisions_lists_them_by_number_and_done_redraws_the_list(
    slack, triage_bot, people, clock
) -> None:
    """`/ritual decisions` lists open decisions by number with owner, due date and Done;
    Done replaces the reply with a confirmation (with Undo) above the list, which no longer
    shows it open; `all` shows who closed it and when."""
    _decide(slack, triage_bot, people, clock, due="2026-04-03")
    people.bob.command("/ritual", "decisions", channel="general")
    listing = slack.wait_for(lambda: people.bob.ephemerals())[0]
    text = flat(listing.blocks)
    assert "*Open decisions* (1)" in text and "*1.* Pause refunds agent" in text
    assert f"Owner <@{people.bob.id}>" in text and "due Fri 03 Apr 2026 · open" in text
    people.bob.click("Done", channel="general")
    slack.wait_for(lambda: "You marked decision 1 done" in flat(people.bob.ephemerals()[0].blocks))
    redrawn = flat(people.bob.ephemerals()[0].blocks)
    assert "*Open decisions*: none." in redrawn and "Undo" in redrawn
    people.bob.command("/ritual", "decisions all", channel="general")
    everything = flat(slack.wait_for(lambda: people.bob.ephemerals()[1:])[0].blocks)
    assert f"done by <@{people.bob.id}> Mon 30 Mar 09:0" in everything  # London time


def test_ritual_done_and_reopen_by_number(slack, triage_bot, people, clock) -> None:
    """`/ritual done 1` closes decision 1 with a confirmation and Undo; `/ritual reopen 1`
    opens it again; closing it twice says who closed it first."""
    _decide(slack, triage_bot, people, clock, due="2026-04-03")
    people.alice.command("/ritual", "done 1", channel="general")
    reply = slack.wait_for(lambda: people.alice.ephemerals())[0]
    assert "You marked decision 1 done: Pause refunds agent" in flat(reply.blocks)
    assert "Undo" in flat(reply.blocks)
    people.bob.command("/ritual", "done 1", channel="general")
    again = slack.wait_for(lambda: people.bob.ephemerals())[0].text
    assert again.startswith(f"Decision 1 was already marked done by <@{people.alice.id}>")
    assert "`/ritual reopen 1`" in again
    people.bob.command("/ritual", "reopen 1", channel="general")
    reopened = slack.wait_for(lambda: people.bob.ephemerals()[1:])[0]
    assert "Decision 1 is open again" in flat(reopened.blocks)
    people.bob.command("/ritual", "done 99", channel="general")
    assert "There is no decision 99." in slack.wait_for(lambda: people.bob.ephemerals()[2:])[0].text


def test_only_the_owner_the_ritual_owners_and_admins_may_close_a_decision(
    slack, start_bot, people, clock
) -> None:
    """Someone who neither owns the decision nor the ritual nor is an admin is refused, told
    who may (by name), and nothing changes; an admin may."""
    dora = slack.person("dora")
    config = TRIAGE.replace(
        "team: {{product-ops-lead: [{alice}]}}",
        "team: {{product-ops-lead: [{alice}]}}\nincidents: {{admins: [{dora}]}}",
    )
    bot = start_bot(config, alice=people.alice.id, bob=people.carol.id, dora=dora.id)
    clock.move_to("2026-03-30 08:00:05")
    service.tick(bot.ctx)
    slack.wait_for(lambda: bot_messages(slack, "ai-ops"))
    click_open(slack, people.alice, "Record decision", channel="ai-ops")
    people.alice.submit(
        {
            "Decision": "Re-check refunds",
            OUTPUT: "Something else",
            "Owner": "alice",
            "Due date": "2026-04-03",
        }
    )
    stranger = slack.person("erin")
    stranger.command("/ritual", "done 1", channel="general")
    refused = slack.wait_for(lambda: stranger.ephemerals())[0].text
    assert refused.startswith(
        f"Only <@{people.alice.id}> (its owner), the owners of Daily exception triage "
        f"(<@{people.carol.id}>) and admins (<@{dora.id}>) may mark done decision 1."
    )
    assert "|" not in refused
    with bot.ctx.tx() as session:
        assert [d.status for d in store.decisions(session)] == ["open"]
    dora.command("/ritual", "done 1", channel="general")
    slack.wait_for(lambda: "You marked decision 1 done" in flat(dora.ephemerals()[0].blocks))


def test_done_pressed_by_many_at_once_closes_the_decision_once(
    slack, triage_bot, people, clock
) -> None:
    """Six presses of Done at the same moment make one transition: one thread notice, one
    person recorded, the others told who was first."""
    message = _decide(slack, triage_bot, people, clock, due="2026-04-03")
    slack.wait_for(lambda: _dms(slack, people.bob))
    at_once([lambda: people.bob.command("/ritual", "done 1", channel="general") for _ in range(6)])
    slack.wait_for(lambda: len(people.bob.ephemerals()) == 6)
    texts = [flat(e.blocks) or e.text for e in people.bob.ephemerals()]
    assert len([t for t in texts if "You marked decision 1 done" in t]) == 1
    assert len([t for t in texts if "was already marked done" in t]) == 5
    done = _thread_says(slack, message, "marked decision 1 done")
    assert len(done) == 1


def test_overdue_decisions_are_listed_by_the_triage(slack, triage_bot, people, clock) -> None:
    """An open decision past its due date appears under overdue decisions in the triage."""
    _decide(slack, triage_bot, people, clock, due="2026-03-30")
    tuesday_posts = len(bot_messages(slack, "ai-ops")) + 1
    clock.move_to("2026-03-31 08:00:05")
    service.tick(triage_bot.ctx)
    tuesday = slack.wait_for(lambda: bot_messages(slack, "ai-ops")[tuesday_posts - 1 :])[0]
    assert "Overdue decisions" in flat(tuesday.blocks)
    assert f"Pause refunds agent: <@{people.bob.id}>, due Mon 30 Mar" in flat(tuesday.blocks)


def test_app_home_shows_my_check_ins_and_decisions_due_and_undo(
    slack, triage_bot, people, clock
) -> None:
    """App Home shows the viewer's check-ins due (Check in opens the modal) and the decisions
    they own by number; Done there leaves an Undo on Home for a while."""
    _decide(slack, triage_bot, people, clock, due="2026-04-03")
    people.bob.open_home()
    home = slack.wait_for(lambda: slack.home_view("bob"))
    text = flat(home["blocks"])
    assert "Check-in due:" in text and "Daily exception triage" in text
    assert "Decision 1 due Fri 03 Apr 2026" in text and "Pause refunds agent" in text
    people.bob.click("Check in", in_home=True)
    slack.wait_for(lambda: slack.open_views("bob"))
    people.bob.submit({"Anything blocked?": "no"})
    people.bob.open_home()
    slack.wait_for(lambda: "Check-in due:" not in flat(slack.home_view("bob")["blocks"]))
    people.bob.click("Done", in_home=True)
    slack.wait_for(lambda: "You marked decision 1 done" in flat(slack.home_view("bob")["blocks"]))
    people.bob.click("Undo", in_home=True)
    slack.wait_for(lambda: "Decision 1 due" in flat(slack.home_view("bob")["blocks"]))
    people.carol.open_home()
    carol = slack.wait_for(lambda: slack.home_view("carol"))
    assert "No check-ins or decisions due from you." in flat(carol["blocks"])
