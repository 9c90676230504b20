"""The 📌 timeline (once per message, however often delivered) and a restart mid-incident."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from opsbot.incidents import store
from tests.incidents.helpers import incident_channel, last_ephemeral, panel, posted, run, wait_panel


def _pins(bot: Any) -> list[store.TimelineEvent]:
    with Session(bot.ctx.engine) as session:
        return [e for e in store.timeline(session, incident_id=1) if e.kind == "pin"]


def test_pushpin_adds_a_message_to_the_timeline_once(ibot, slack, people) -> None:
    """A 📌 adds text, author, link and original time; a retried event and a second 📌 by
    someone else add nothing more."""
    alice, bob = people["alice"], people["bob"]
    alice.command("/incident", "declare sev3 Drift alert on intent classifier", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    ts = bob.say(channel.name, "Confidence dropped at 09:12 after the index rebuild <!here>")
    event = {
        "type": "reaction_added",
        "user": alice.id,
        "reaction": "pushpin",
        "item_user": bob.id,
        "item": {"type": "message", "channel": channel.id, "ts": ts},
        "event_ts": ts,
    }
    assert slack.send_event(event, event_id="Ev0PIN000001").status == 200
    slack.wait_for(lambda: _pins(ibot), message="the pinned message never reached the timeline")
    assert slack.send_event(event, event_id="Ev0PIN000001", retry_num=1).status == 200
    people["carol"].react("pushpin", channel.id, ts)
    people["carol"].react("eyes", channel.id, ts)
    run(ibot, slack, alice, "note after the pins", channel.name)
    (pin,) = _pins(ibot)
    assert pin.text.startswith("Confidence dropped at 09:12")
    assert pin.actor == alice.id and pin.data["author"] == bob.id
    assert pin.data["permalink"] and pin.source_ts == ts
    assert abs(pin.at.timestamp() - float(ts)) < 1
    before = len(alice.ephemerals())
    alice.command("/incident", "timeline", channel=channel.name)
    shown = last_ephemeral(slack, alice, count=before + 1)
    assert "[pin] Confidence dropped" in shown and "&lt;!here&gt;" in shown


def test_a_restart_in_the_middle_of_an_incident_loses_nothing(ibot, slack, people) -> None:
    """After bot.restart() the incident goes on: the panel is still edited in place, not
    reposted, and the whole lifecycle completes."""
    alice = people["alice"]
    alice.command("/incident", "declare sev4 Summaries truncated", channel="general")
    channel = incident_channel(slack, 1)
    first = panel(slack, channel.id)
    run(ibot, slack, alice, "contain rolled back summary length", channel.name)
    ibot.restart()
    for text in (
        "rule-out model same model",
        "rule-out data same data",
        "rca workflow max_tokens lowered in config",
        "fix restore max_tokens test=t-sum",
        "verify 1 green",
    ):
        run(ibot, slack, alice, text, channel.name)
    wait_panel(slack, channel.id, "✅ verified")
    ibot.restart()
    run(ibot, slack, alice, "resolve", channel.name)
    run(ibot, slack, alice, "close", channel.name)
    wait_panel(slack, channel.id, "*Status*\\nclosed")
    assert panel(slack, channel.id).ts == first.ts
    assert (
        len(
            [
                m
                for m in slack.messages(channel.id)
                if m.blocks and m.blocks[0].get("type") == "header"
            ]
        )
        == 1
    )
    assert slack.wait_for(lambda: slack.files(channel.id))
    posted(slack, "incidents", "(sev4, closed)")
