"""Every refusal reaches only the typist, says what to do, and changes nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from opsbot.incidents import store
from tests.incidents.helpers import incident_channel, last_ephemeral, panel, posted, run


def _declared(people: dict[str, Any], slack: Any, text: str = "declare sev2 Router loops") -> Any:
    people["alice"].command("/incident", text, channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    return channel


def _reply(slack: Any, who: Any, text: str, channel: str = "general") -> str:
    before = len(who.ephemerals())
    who.command("/incident", text, channel=channel)
    return last_ephemeral(slack, who, count=before + 1)


def _incident_count(bot: Any) -> int:
    with Session(bot.ctx.engine) as session:
        return len(store.all_incidents(session))


def test_bad_declarations_are_refused_and_create_nothing(ibot, slack, people) -> None:
    """An unknown severity, an empty or over-long title, or over-long text is refused."""
    alice = people["alice"]
    assert "unknown severity sev9" in _reply(slack, alice, "declare sev9 Foo")
    assert "needs a title" in _reply(slack, alice, "declare sev1")
    assert "the limit is 150" in _reply(slack, alice, "declare sev2 " + "x" * 151)
    assert "at most 3000" in _reply(slack, alice, "declare sev2 " + "y" * 3001)
    assert _incident_count(ibot) == 0
    assert not [c for c in slack.channels() if c.name.startswith("inc-")]


def test_incident_commands_outside_an_incident_channel_are_refused(ibot, slack, people) -> None:
    """Commands that act on an incident say to type them in the incident channel."""
    for text in ("contain stopped it", "status", "resolve", "fix x test=y", "update hello"):
        assert "not an incident channel" in _reply(slack, people["alice"], text)


def test_bad_rca_fix_and_verify_input_is_refused(ibot, slack, people) -> None:
    """Unknown layers, a fix without test=, a fix number that does not exist are refused."""
    channel = _declared(people, slack)
    alice = people["alice"]
    assert "unknown layer infra" in _reply(slack, alice, "rca infra bad", channel.name)
    assert "unknown layer" in _reply(slack, alice, "rule-out network nope", channel.name)
    assert "needs the eval test" in _reply(slack, alice, "fix restart the pods", channel.name)
    assert "no fix 3" in _reply(slack, alice, "verify 3 looks good", channel.name)
    assert "not a fix number" in _reply(slack, alice, "verify one", channel.name)
    assert "unknown role" in _reply(slack, alice, f"role boss <@{alice.id}>", channel.name)
    assert "Next: contain the harm" in str(panel(slack, channel.id).blocks)


def test_resolve_lists_every_missing_gate(ibot, slack, people) -> None:
    """Resolve before the gates hold lists each missing item; sev2 needs a customer update."""
    channel = _declared(people, slack)
    alice = people["alice"]
    text = _reply(slack, alice, "resolve", channel.name)
    assert "Cannot resolve yet: 6 items missing." in text
    assert "Containment is not recorded" in text
    run(ibot, slack, alice, "contain paused the router", channel.name)
    run(ibot, slack, alice, "fix add loop guard test=eval-loop", channel.name)
    text = _reply(slack, alice, "resolve", channel.name)
    assert "Cannot resolve yet: 5 items missing." in text
    for needle in (
        "No customer update yet",
        "The model layer",
        "The data layer",
        "The workflow layer",
        "Fix 1 (test eval-loop) is not verified",
    ):
        assert needle in text, needle


def test_only_the_lead_or_an_admin_may_resolve_or_close(ibot, slack, people) -> None:
    """Someone else is told who may; an admin may; a new lead takes over from the declarer."""
    channel = _declared(people, slack, "declare sev4 Minor typo in bot answers")
    alice, erin, dave = people["alice"], people["erin"], people["dave"]
    for text in (
        "contain hotfixed copy",
        "rule-out model n/a",
        "rule-out data n/a",
        "rca workflow template typo",
        "fix fix template test=eval-copy",
        "verify 1 ok",
    ):
        run(ibot, slack, alice, text, channel.name)
    refusal = _reply(slack, erin, "resolve", channel.name)
    assert f"Only the incident lead (<@{alice.id}>) or an admin (<@{dave.id}>)" in refusal
    assert "may resolve" in refusal
    run(ibot, slack, dave, "resolve", channel.name)
    posted(slack, channel.id, "resolved Incident 1")
    run(ibot, slack, alice, f"role lead <@{erin.id}|erin>", channel.name)
    posted(slack, channel.id, "the incident *lead*")
    assert "may close" in _reply(slack, alice, "close", channel.name)
    erin.command("/incident", "close", channel=channel.name)
    slack.wait_for(lambda: slack.files(channel.id))


def test_closed_incidents_refuse_changes(ibot, slack, people) -> None:
    """After close, notes and containment are refused with a pointer to declaring anew."""
    channel = _declared(people, slack, "declare sev4 Tiny glitch")
    alice = people["alice"]
    for text in (
        "contain x",
        "rule-out model a",
        "rule-out data b",
        "rule-out workflow c",
        "fix y test=t1",
        "verify 1",
        "resolve",
        "close",
    ):
        run(ibot, slack, alice, text, channel.name)
    slack.wait_for(lambda: slack.files(channel.id))
    assert "record is final" in _reply(slack, alice, "note late thought", channel.name)


def test_injection_in_a_title_is_escaped_everywhere(ibot, slack, people) -> None:
    """`<!channel>` and `<url|label>` in a title never reach Slack as live markup."""
    title = "Bot says <!channel> and <https://evil.example|click> here"
    channel = _declared(people, slack, "declare sev2 " + title)
    posted(slack, "incidents", "Incident 1 declared")
    people["alice"].command(
        "/incident", "note <!here> see <https://x.example|docs>", channel=channel.name
    )
    posted(slack, channel.id, "noted")
    texts = []
    for name in (channel.id, "incidents"):
        for message in slack.messages(name):
            texts.append(message.text)
            texts.append(str(_mrkdwn_of(message.blocks)))
    texts.append(slack.channel(channel.id).topic)
    joined = "\n".join(texts)
    assert "<!channel>" not in joined and "<!here>" not in joined
    assert "<https://evil.example|click>" not in joined
    assert "&lt;!channel&gt;" in joined


def _mrkdwn_of(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn text in blocks (plain_text cannot carry live markup)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(value.get("text", ""))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(blocks)
    return found
