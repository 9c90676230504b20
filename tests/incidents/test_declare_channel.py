"""Channel creation: a taken name gets a suffix; a refused creation is recorded and explained."""

from __future__ import annotations

from sqlmodel import Session

from opsbot.incidents import store
from tests.incidents.helpers import incident, panel


def test_a_taken_channel_name_gets_a_suffix(ibot, slack, people) -> None:
    """When inc-1-<slug> exists, the incident channel becomes inc-1-<slug>-2 and is recorded."""
    slack.add_channel("inc-1-refunds-wrong")
    people["alice"].command("/incident", "declare sev3 Refunds wrong", channel="general")
    channel = slack.wait_for(
        lambda: next((c for c in slack.channels() if c.name == "inc-1-refunds-wrong-2"), None)
    )
    panel(slack, channel.id)
    row = incident(ibot, 1)
    assert (row.channel_id, row.channel_name) == (channel.id, "inc-1-refunds-wrong-2")


def test_a_refused_channel_creation_is_recorded_and_the_declarer_told(ibot, slack, people) -> None:
    """Slack refusing conversations.create leaves the error on the incident, no open incident,
    and a DM telling the declarer what to do."""
    slack.fail("conversations.create", error="restricted_action", times=None)
    alice = people["alice"]
    alice.command("/incident", "declare sev2 Eval gate bypassed", channel="general")
    dm = slack.wait_for(lambda: [m for m in slack.messages(alice.id) if "could not" in m.text])
    assert "restricted_action" in dm[0].text and "declare again" in dm[0].text
    row = incident(ibot, 1)
    assert row.creation_error == "restricted_action" and row.channel_id is None
    with Session(ibot.ctx.engine) as session:
        assert store.open_incidents(session) == []
    assert not [c for c in slack.channels() if c.name.startswith("inc-")]
    assert not slack.messages("incidents")
