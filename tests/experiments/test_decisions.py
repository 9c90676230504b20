"""The ship-or-not call: typed or clicked, recorded once, carried by a ritual decision with an
owner and a due date, and shown in the weekly review's context."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from opsbot.outbox import OutboxJob
from opsbot.rituals.store import Decision

from .conftest import DAY, T0, at_once, card, experiment, flat, register, simulate, thread


def _winner(slack: Any, bot: Any, token: str, clock: Any) -> str:
    """An experiment at ship: eight days of a clear win."""
    key = str(register(bot, token).json()["experiment"]["key"])
    clock.move_to(T0 + 8 * DAY)
    simulate(bot, token, days=8, control={"successes": 0.80}, treatment={"successes": 0.88})
    slack.wait_for(lambda: experiment(bot, token, key)["state"] == "ship", timeout=15)
    slack.wait_for(lambda: thread(slack, key))
    return key


def _decisions(bot: Any) -> list[Decision]:
    with bot.ctx.tx() as session:
        return list(session.exec(select(Decision)).all())


def test_decide_by_command_records_a_ritual_decision(
    slack: Any, xbot: Any, token: str, clock: Any, people: Any
) -> None:
    """`/ops experiment decide … ship <reason>` concludes the experiment; the call becomes a
    decision of the weekly review owned by whoever typed it, due in a week; the card, its
    thread and the API say so."""
    key = _winner(slack, xbot, token, clock)
    people.alice.command(
        "/ops", f"experiment decide {key} ship Success up 8 pp, escalations flat", channel="ai-ops"
    )
    reply = slack.wait_for(lambda: people.alice.ephemerals("ai-ops"))[-1]
    assert f"Recorded: *ship* for {key}" in reply.text
    [decision] = _decisions(xbot)
    assert decision.owner == people.alice.id
    assert decision.ritual_key == "weekly-model-workflow-review"
    assert decision.due == date(2026, 12, 16)  # decided Wed 9 Dec (UTC), due a week later
    assert "Ship prompt-v13 on refund-agent" in decision.text
    assert "the rule said ship" in decision.text
    told = slack.wait_for(lambda: [m for m in thread(slack, key) if "Decided: ship" in m.text])
    assert "Weekly model and workflow review" in told[0].text
    shown = slack.wait_for(
        lambda: "Decided: ship" in flat(card(slack, key).blocks) and card(slack, key)
    )
    assert "Decide…" not in flat(shown.blocks)
    found = experiment(xbot, token, key)
    assert found["status"] == "concluded"
    assert found["decision"]["call"] == "ship"
    assert found["decision"]["owner"] == people.alice.id
    assert [e["kind"] for e in found["events"]] == ["registered", "state", "decided"]
    people.alice.command("/ritual", "decisions", channel="ai-ops")
    listed = slack.wait_for(lambda: people.alice.ephemerals("ai-ops")[1:])[-1]
    assert "Ship prompt-v13 on refund-agent" in flat(listed.blocks)


def test_decide_by_button_picks_owner_and_due_date(
    slack: Any, xbot: Any, token: str, clock: Any, people: Any
) -> None:
    """The card's Decide… button opens a form: roll back, owned by bob, due on a chosen day;
    a call against the rule says so in the thread."""
    key = _winner(slack, xbot, token, clock)
    message = card(slack, key)
    before = len(slack.open_views(people.alice.name))
    people.alice.click("Decide…", channel="ai-ops", message_ts=message.ts)
    slack.wait_for(lambda: slack.open_views(people.alice.name)[before:])
    response = people.alice.submit(
        {
            "Decision": "roll back to the control",
            "Why": "Legal asked us to wait for the policy review",
            "Owner (carries it out)": "bob",
            "Due": "2026-12-20",
        }
    )
    assert response.status == 200, response.body_text
    [decision] = _decisions(xbot)
    assert (decision.owner, decision.due) == (people.bob.id, date(2026, 12, 20))
    assert "Roll refund-agent back to prompt-v12" in decision.text
    told = slack.wait_for(lambda: [m for m in thread(slack, key) if "Decided: rollback" in m.text])
    assert "This call goes beyond it" in told[0].text


def test_two_calls_at_once_record_one_decision(
    slack: Any, xbot: Any, token: str, clock: Any, people: Any
) -> None:
    """Alice and bob decide at the same moment: one decision is recorded, and the other is
    told who already decided."""
    key = _winner(slack, xbot, token, clock)

    def decide(person: Any, call: str) -> Any:
        return person.command("/ops", f"experiment decide {key} {call} my reason", channel="ai-ops")

    answers = at_once([lambda: decide(people.alice, "ship"), lambda: decide(people.bob, "iterate")])
    assert [answer.status for answer in answers] == [200, 200]
    replies = slack.wait_for(
        lambda: (
            (a := people.alice.ephemerals("ai-ops"))
            and (b := people.bob.ephemerals("ai-ops"))
            and [a[-1].text, b[-1].text]
        )
    )
    assert len(_decisions(xbot)) == 1
    found = experiment(xbot, token, key)
    winner = people.alice if found["decision"]["call"] == "ship" else people.bob
    assert found["decision"]["by"] == winner.id
    assert sum("Recorded:" in text for text in replies) == 1
    refused = next(text for text in replies if "Recorded:" not in text)
    assert f"was already decided: {found['decision']['call']} by <@{winner.id}>" in refused
    with xbot.ctx.tx() as session:
        said = session.exec(select(OutboxJob).where(OutboxJob.kind == "experiment.decided"))
        assert len(said.all()) == 1


def test_the_weekly_review_shows_experiments_and_their_calls(
    slack: Any, xbot: Any, token: str, clock: Any, people: Any
) -> None:
    """The weekly review's context lists the running experiments with their state and the
    calls decided since the last review, with their owner."""
    key = _winner(slack, xbot, token, clock)
    register(xbot, token, control="prompt-v13", treatment="prompt-v14", key="next-prompt")
    people.alice.command("/ops", f"experiment decide {key} ship Clear win", channel="ai-ops")
    slack.wait_for(lambda: _decisions(xbot))
    clock.move_to(T0 + 8 * DAY + timedelta(hours=1))
    people.alice.command("/ritual", "run weekly-model-workflow-review", channel="ai-ops")

    def review() -> Any:
        for m in slack.messages("ai-ops"):
            if m.user is None and "Weekly model and workflow review" in m.text:
                return m
        return None

    shown = flat(slack.wait_for(review, timeout=15).blocks)
    assert "Experiments" in shown
    assert (
        "*next-prompt* on refund-agent: `prompt-v14` against `prompt-v13`, success rate: "
        "collecting (7 days left)" in shown
    )
    assert (
        f"*{key}* decided *ship* (the rule said ship): Clear win, due Wed 16 Dec – "
        f"<@{people.alice.id}>" in shown
    )
