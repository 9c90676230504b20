"""Check in, record a decision and skip, through the buttons and modals as a person would."""

from __future__ import annotations

from datetime import date

from opsbot.rituals import service, store

from .conftest import OUTPUT, bot_messages, click_open, flat

Q1, Q2 = "Which exceptions need a decision today?", "Anything blocked?"


def _post_triage(slack, bot, clock):
    clock.move_to("2026-03-30 08:00:05")
    service.tick(bot.ctx)
    return slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0]


def test_check_in_stores_answers_posts_them_and_marks_the_message(
    slack, triage_bot, people, clock
) -> None:
    """Check in opens a modal with the ritual's questions; the answers are stored, posted in
    the thread, and the message shows who has checked in."""
    message = _post_triage(slack, triage_bot, clock)
    modal = click_open(slack, people.alice, "Check in", channel="ai-ops")
    assert Q1 in flat(modal["blocks"]) and Q2 in flat(modal["blocks"])
    response = people.alice.submit({Q1: "Refund overrides <!channel>", Q2: "no"})
    assert response.status == 200 and slack.open_views("alice") == []
    reply = slack.wait_for(lambda: slack.replies("ai-ops", message.ts))[0]
    assert "Refund overrides &lt;!channel&gt;" in flat(reply.blocks)
    slack.wait_for(
        lambda: f"Checked in: <@{people.alice.id}>" in flat(slack.messages("ai-ops")[0].blocks),
        message="message not updated",
    )
    with triage_bot.ctx.tx() as session:
        [occ] = store.open_occurrences(session)
        [checkin] = store.checkins(session, occurrence_id=occ.id)
    assert checkin.user_id == people.alice.id
    assert checkin.answers == [
        {"question": Q1, "answer": "Refund overrides <!channel>"},
        {"question": Q2, "answer": "no"},
    ]


def test_a_check_in_without_any_answer_is_refused_in_the_modal(
    slack, triage_bot, people, clock
) -> None:
    """Submitting the check-in with every answer empty keeps the modal open with an error."""
    _post_triage(slack, triage_bot, clock)
    click_open(slack, people.bob, "Check in", channel="ai-ops")
    response = people.bob.submit({})
    assert response.json["response_action"] == "errors"
    assert "at least one" in response.json["errors"]["q0"]
    assert len(slack.open_views("bob")) == 1


def test_record_decision_stores_text_owner_and_due_date(slack, triage_bot, people, clock) -> None:
    """Record decision takes text, an owner (users_select) and a due date (datepicker), stores
    them, announces them in the thread; a past due date is refused in the modal."""
    message = _post_triage(slack, triage_bot, clock)
    click_open(slack, people.alice, "Record decision", channel="ai-ops")
    refused = people.alice.submit(
        {
            "Decision": "Roll back prompt v12",
            OUTPUT: "Something else",
            "Owner": "bob",
            "Due date": "2026-03-29",
        }
    )
    assert "today" in refused.json["errors"]["due"]
    people.alice.submit(
        {
            "Decision": "Roll back prompt v12",
            OUTPUT: "Something else",
            "Owner": "bob",
            "Due date": "2026-04-03",
        }
    )
    reply = slack.wait_for(lambda: slack.replies("ai-ops", message.ts))[0]
    assert "Roll back prompt v12" in reply.text and f"<@{people.bob.id}>" in reply.text
    with triage_bot.ctx.tx() as session:
        [decision] = store.decisions(session)
    assert (decision.text, decision.owner, decision.due, decision.created_by, decision.status) == (
        "Roll back prompt v12",
        people.bob.id,
        date(2026, 4, 3),
        people.alice.id,
        "open",
    )
    slack.wait_for(lambda: "decisions recorded: 1" in flat(slack.messages("ai-ops")[0].blocks))


def test_skip_asks_for_a_reason_and_ends_the_occurrence(slack, triage_bot, people, clock) -> None:
    """Skip opens a modal asking why; the occurrence is recorded as skipped and its message
    loses its buttons and says who skipped it and why."""
    _post_triage(slack, triage_bot, clock)
    click_open(slack, people.bob, "Skip", channel="ai-ops")
    people.bob.submit({"Reason for skipping": "Company offsite"})
    slack.wait_for(lambda: "Skipped by" in flat(slack.messages("ai-ops")[0].blocks))
    final = flat(slack.messages("ai-ops")[0].blocks)
    assert f"Skipped by <@{people.bob.id}>: Company offsite" in final
    assert "Check in" not in final
    with triage_bot.ctx.tx() as session:
        [occ] = store.occurrences_between(session, start=_t("2026-03-30"), end=_t("2026-03-31"))
    assert (occ.status, occ.skipped_by, occ.skip_reason) == (
        "skipped",
        people.bob.id,
        "Company offsite",
    )
    clock.move_to("2026-03-30 13:00:00")
    assert service.tick(triage_bot.ctx).closed == []  # no summary for a skipped occurrence


def test_a_check_in_submitted_after_a_skip_is_refused_in_the_modal(
    slack, triage_bot, people, clock
) -> None:
    """A modal opened while the occurrence was open, submitted after someone skipped it, is
    refused with the reason and stores nothing."""
    _post_triage(slack, triage_bot, clock)
    click_open(slack, people.bob, "Check in", channel="ai-ops")
    click_open(slack, people.alice, "Skip", channel="ai-ops")
    people.alice.submit({"Reason for skipping": "Holiday"})
    response = people.bob.submit({Q1: "late answer"})
    assert response.json["response_action"] == "errors"
    assert "skipped" in response.json["errors"]["q0"]
    with triage_bot.ctx.tx() as session:
        [occ] = store.occurrences_between(session, start=_t("2026-03-30"), end=_t("2026-03-31"))
        assert store.checkins(session, occurrence_id=occ.id) == []


def _t(day: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_a_stale_button_is_refused_to_the_clicker_and_always_acked(
    slack, triage_bot, people, clock
) -> None:
    """Check in on a message whose occurrence has already ended (its edit not yet seen) is
    acknowledged with 200 every time and refused to the clicker alone, 20 times out of 20."""
    _post_triage(slack, triage_bot, clock)
    with triage_bot.ctx.tx() as session:
        [occ] = store.occurrences_between(session, start=_t("2026-03-30"), end=_t("2026-03-31"))
        assert store.transition(session, occ, to=store.SKIPPED, closed_at=_t("2026-03-30"))
    for attempt in range(1, 21):
        response = people.bob.click("Check in", channel="ai-ops")
        assert response.status == 200, (attempt, response.body_text)
        slack.wait_for(lambda n=attempt: len(people.bob.ephemerals("ai-ops")) == n)
    refusals = people.bob.ephemerals("ai-ops")
    assert all("This occurrence is skipped; it takes no more input." in e.text for e in refusals)
    assert people.alice.ephemerals("ai-ops") == [] and slack.open_views("bob") == []
