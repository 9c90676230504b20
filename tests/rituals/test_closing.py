"""Occurrences close with a summary (or as missed), and owners are reminded to check in."""

from __future__ import annotations

from opsbot.rituals import service, store

from .conftest import EXCEPTION_OWNERS, OUTPUT, bot_messages, click_open, flat

Q1, Q2 = "Which exceptions need a decision today?", "Anything blocked?"


def _post_triage(slack, bot, clock, at: str = "2026-03-30 08:00:05"):
    clock.move_to(at)
    before = len(bot_messages(slack, "ai-ops"))
    service.tick(bot.ctx)
    return slack.wait_for(lambda: bot_messages(slack, "ai-ops")[before:])[-1]


def _statuses(bot) -> list[str]:
    with bot.ctx.tx() as session:
        return [
            o.status
            for o in store.occurrences_between(
                session, start=_utc("2026-01-01"), end=_utc("2027-01-01")
            )
        ]


def _utc(day: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_the_window_closes_with_a_summary_of_answers_and_decisions(
    slack, triage_bot, people, clock
) -> None:
    """At the end of its window the occurrence closes and the thread gets a summary naming who
    took part, their answers, and the decisions with owners and dates."""
    message = _post_triage(slack, triage_bot, clock)
    click_open(slack, people.alice, "Check in", channel="ai-ops")
    people.alice.submit({Q1: "Refund overrides", Q2: "Nothing"})
    click_open(slack, people.alice, "Record decision", channel="ai-ops")
    people.alice.submit(
        {
            "Decision": "Pause refunds agent",
            OUTPUT: EXCEPTION_OWNERS,
            "Owner": "bob",
            "Due date": "2026-04-02",
        }
    )
    slack.wait_for(lambda: len(slack.replies("ai-ops", message.ts)) == 2)
    clock.move_to("2026-03-30 11:59:00")
    assert service.tick(triage_bot.ctx).closed == []
    clock.move_to("2026-03-30 12:00:10")
    service.tick(triage_bot.ctx)
    summary = slack.wait_for(
        lambda: [r for r in slack.replies("ai-ops", message.ts) if "Summary of" in flat(r.blocks)]
    )[0]
    text = flat(summary.blocks)
    assert f"Took part: <@{people.alice.id}>" in text
    assert "Refund overrides" in text and Q1 in text
    assert f"1. Pause refunds agent: owner <@{people.bob.id}>, due Thu 02 Apr 2026" in text
    assert summary.reply_broadcast
    slack.wait_for(lambda: "Closed" in flat(slack.messages("ai-ops")[0].blocks))
    assert "Record decision" not in flat(slack.messages("ai-ops")[0].blocks)
    assert _statuses(triage_bot) == ["closed"]
    assert service.tick(triage_bot.ctx).closed == []


def test_nobody_checking_in_is_recorded_as_missed_and_listed_by_the_next_triage(
    slack, triage_bot, clock
) -> None:
    """An occurrence nobody answered closes as missed, says so, and the next day's triage
    lists it among missed occurrences."""
    message = _post_triage(slack, triage_bot, clock)
    clock.move_to("2026-03-30 12:01:00")
    service.tick(triage_bot.ctx)
    note = slack.wait_for(lambda: slack.replies("ai-ops", message.ts))[0]
    assert "Nobody checked in" in flat(note.blocks) and "missed" in flat(note.blocks)
    assert _statuses(triage_bot) == ["missed"]
    tuesday = _post_triage(slack, triage_bot, clock, at="2026-03-31 08:00:05")
    assert "daily-exception-triage of Mon 30 Mar 09:00 (nobody checked in)" in flat(tuesday.blocks)
    wednesday = _post_triage(slack, triage_bot, clock, at="2026-04-01 08:00:05")
    assert "No missed occurrences." in flat(wednesday.blocks)  # mentioned once, not every day


def test_owners_who_have_not_checked_in_are_reminded_in_the_thread(
    slack, triage_bot, people, clock
) -> None:
    """At each remind_after_minutes, owners yet to check in (alice holds the role, bob is named)
    are mentioned in the thread, once per reminder, and those who checked in are not."""
    message = _post_triage(slack, triage_bot, clock)
    click_open(slack, people.alice, "Check in", channel="ai-ops")
    people.alice.submit({Q1: "All fine"})
    slack.wait_for(lambda: slack.replies("ai-ops", message.ts))
    clock.move_to("2026-03-30 08:59:00")
    assert service.tick(triage_bot.ctx).reminders == 0
    clock.move_to("2026-03-30 09:00:10")
    assert service.tick(triage_bot.ctx).reminders == 1
    assert service.tick(triage_bot.ctx).reminders == 0
    reminder = slack.wait_for(
        lambda: [r for r in slack.replies("ai-ops", message.ts) if "reminder" in r.text]
    )
    assert f"<@{people.bob.id}>" in reminder[0].text
    assert f"<@{people.alice.id}>" not in reminder[0].text
    clock.move_to("2026-03-30 11:00:10")
    assert service.tick(triage_bot.ctx).reminders == 1
    slack.wait_for(
        lambda: len([r for r in slack.replies("ai-ops", message.ts) if "reminder" in r.text]) == 2
    )


def test_nobody_is_reminded_once_every_owner_checked_in(slack, triage_bot, people, clock) -> None:
    """When every owner has checked in, a reminder time passes without a message."""
    message = _post_triage(slack, triage_bot, clock)
    for person in (people.alice, people.bob):
        click_open(slack, person, "Check in", channel="ai-ops")
        person.submit({Q2: "no"})
    slack.wait_for(lambda: len(slack.replies("ai-ops", message.ts)) == 2)
    clock.move_to("2026-03-30 09:00:10")
    assert service.tick(triage_bot.ctx).reminders == 0


def test_the_summary_names_missing_check_ins_and_missing_decision_outputs(
    slack, triage_bot, people, clock
) -> None:
    """The summary names the owners who never checked in and the expected decision outputs
    no decision recorded; a decision naming its output counts for it."""
    message = _post_triage(slack, triage_bot, clock)
    click_open(slack, people.alice, "Check in", channel="ai-ops")
    people.alice.submit({Q1: "Refund overrides"})
    click_open(slack, people.alice, "Record decision", channel="ai-ops")
    people.alice.submit(
        {
            "Decision": "Pause refunds",
            OUTPUT: "Something else",
            "Owner": "bob",
            "Due date": "2026-04-02",
        }
    )
    slack.wait_for(lambda: len(slack.replies("ai-ops", message.ts)) == 2)
    clock.move_to("2026-03-30 12:00:10")
    service.tick(triage_bot.ctx)
    summary = slack.wait_for(
        lambda: [r for r in slack.replies("ai-ops", message.ts) if "Summary of" in flat(r.blocks)]
    )[0]
    text = flat(summary.blocks)
    assert f"Did not check in: <@{people.bob.id}>" in text
    assert "*Expected decisions not recorded*\n• Owner and due date for each exception" in text
    assert "1 owner(s) did not check in, 1 expected decision(s) not recorded" in summary.text


def test_an_owner_closes_the_occurrence_now_and_others_are_refused(
    slack, triage_bot, people, clock
) -> None:
    """Close now, pressed by someone who does not own the occurrence, is refused naming the
    owners; pressed by an owner, it closes at once with the summary, saying who closed it."""
    message = _post_triage(slack, triage_bot, clock)
    click_open(slack, people.bob, "Check in", channel="ai-ops")
    people.bob.submit({Q2: "Nothing"})
    slack.wait_for(lambda: slack.replies("ai-ops", message.ts))
    people.carol.click("Close now", channel="ai-ops")
    refused = slack.wait_for(lambda: people.carol.ephemerals())[0].text
    assert refused.startswith(
        f"Only the owners of this occurrence (<@{people.alice.id}>, <@{people.bob.id}>) may "
        "close it now."
    )
    assert _statuses(triage_bot) == ["posted"]
    people.bob.click("Close now", channel="ai-ops")
    summary = slack.wait_for(
        lambda: [r for r in slack.replies("ai-ops", message.ts) if "Summary of" in flat(r.blocks)]
    )[0]
    assert f"(closed early by <@{people.bob.id}>)" in flat(summary.blocks)
    assert f"Did not check in: <@{people.alice.id}>" in flat(summary.blocks)
    slack.wait_for(
        lambda: f"Closed by <@{people.bob.id}>" in flat(slack.messages("ai-ops")[0].blocks)
    )
    assert _statuses(triage_bot) == ["closed"]
    clock.move_to("2026-03-30 09:00:10")
    assert service.tick(triage_bot.ctx).reminders == 0


def test_check_in_answers_appear_in_the_thread_as_they_come(
    slack, triage_bot, people, clock
) -> None:
    """Each check-in is posted in the occurrence's thread when it is submitted, long before
    the window closes, and the message shows who has checked in and who is awaited."""
    message = _post_triage(slack, triage_bot, clock)
    click_open(slack, people.bob, "Check in", channel="ai-ops")
    people.bob.submit({Q1: "Two refunds stuck"})
    [reply] = slack.wait_for(lambda: slack.replies("ai-ops", message.ts))
    assert f"<@{people.bob.id}> checked in" in flat(reply.blocks)
    assert "Two refunds stuck" in flat(reply.blocks)
    slack.wait_for(
        lambda: (
            f"Checked in: <@{people.bob.id}> · waiting for <@{people.alice.id}>"
            in flat(slack.messages("ai-ops")[0].blocks)
        )
    )


SHORT = """
rituals:
  - key: standup
    schedule: {{cron: "0 9 * * mon-fri", timezone: UTC}}
    channel: ai-ops
    owners: [{bob}]
    window_minutes: 60
    remind_after_minutes: [30, 59]
    questions: ["Anything blocked?"]
"""


def test_reminders_never_come_at_or_after_the_close(slack, start_bot, people, clock) -> None:
    """A reminder due a minute before the close goes out; one that falls due in the last
    half-minute (the bot was busy or down) is dropped, and none comes at or after the close."""
    bot = start_bot(SHORT, bob=people.bob.id)
    clock.move_to("2026-03-30 09:00:05")
    service.tick(bot.ctx)
    message = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0]
    clock.move_to("2026-03-30 09:59:10")  # down since before 09:30: both stages are due
    assert service.tick(bot.ctx).reminders == 1
    slack.wait_for(lambda: slack.replies("ai-ops", message.ts))
    clock.move_to("2026-03-31 09:00:05")
    service.tick(bot.ctx)
    tuesday = slack.wait_for(lambda: bot_messages(slack, "ai-ops")[1:])[0]
    clock.move_to("2026-03-31 09:59:40")  # within the last half-minute: too late to act on
    assert service.tick(bot.ctx).reminders == 0
    clock.move_to("2026-03-31 10:00:10")
    report = service.tick(bot.ctx)
    assert (report.reminders, len(report.closed)) == (0, 1)
    replies = slack.wait_for(lambda: slack.replies("ai-ops", tuesday.ts))
    assert not [r for r in replies if "reminder" in r.text]
