"""LiveBot.idle: whether opsbot still has work in hand for what people did (the console waits
on it instead of guessing how long the bot takes)."""

from __future__ import annotations

from typing import Any


def test_the_bot_is_busy_while_a_command_is_still_at_work(slack: Any, bot: Any) -> None:
    """A command acked but still calling Slack keeps the bot busy; once the call is answered
    the bot is idle and the modal it opened is there."""
    release = slack.hold("views.open")
    try:
        response = slack.person("alice").command("/incident", "declare", channel="general")
        assert response.status == 200
        assert not bot.idle()
    finally:
        release.set()
    slack.wait_for(bot.idle, timeout=10, message="the bot never became idle")
    assert slack.open_views("alice")


def test_the_bot_is_busy_while_its_outbox_has_messages_due(slack: Any, bot: Any) -> None:
    """A declaration's channel set-up waits in the outbox while Slack holds its first call:
    the bot is busy until the control panel is posted."""
    release = slack.hold("conversations.create")
    try:
        slack.person("alice").command("/incident", "declare sev2 Refunds wrong", channel="general")
        made = lambda: [c for c in slack.channels() if c.name == "inc-1-refunds-wrong"]  # noqa: E731
        slack.wait_for(made, timeout=10, message="the channel was never created")
        assert not bot.idle()
    finally:
        release.set()
    slack.wait_for(bot.idle, timeout=10, message="the bot never became idle")
    assert slack.channel("inc-1-refunds-wrong").pins
