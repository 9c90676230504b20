"""Events API retries are handled once, also across a restart."""

from __future__ import annotations


def _home_publishes(slack, user: str) -> int:
    return len([c for c in slack.calls("views.publish") if c.args.get("user_id") == user])


def test_a_retried_event_is_handled_once(bot, slack) -> None:
    """The same event_id delivered again (X-Slack-Retry-Num) does nothing the second time."""
    alice = slack.person("alice")
    event = {"type": "app_home_opened", "user": alice.id, "tab": "home", "channel": "D1"}
    assert slack.send_event(event, event_id="Ev0RETRY0001").status == 200
    slack.wait_for(lambda: _home_publishes(slack, alice.id) == 1)
    assert slack.send_event(event, event_id="Ev0RETRY0001", retry_num=1).status == 200
    assert slack.send_event(event, event_id="Ev0RETRY0001", retry_num=2).status == 200
    assert slack.send_event(event, event_id="Ev0OTHER0001").status == 200
    slack.wait_for(lambda: _home_publishes(slack, alice.id) == 2)
    assert _home_publishes(slack, alice.id) == 2


def test_a_retry_after_a_restart_is_still_handled_once(bot, slack) -> None:
    """Seen event ids live in the database, so a restarted process does not replay a retry."""
    alice = slack.person("alice")
    event = {"type": "app_home_opened", "user": alice.id, "tab": "home", "channel": "D1"}
    slack.send_event(event, event_id="Ev0RESTART01")
    slack.wait_for(lambda: _home_publishes(slack, alice.id) == 1)
    bot.restart()
    assert slack.send_event(event, event_id="Ev0RESTART01", retry_num=1).status == 200
    slack.send_event(event, event_id="Ev0FRESH0001")
    slack.wait_for(lambda: _home_publishes(slack, alice.id) == 2)
    assert _home_publishes(slack, alice.id) == 2


def test_app_home_shows_the_opsbot_header(bot, slack) -> None:
    """Opening App Home publishes a Home view for that person."""
    alice = slack.person("alice")
    alice.open_home()
    view = slack.wait_for(lambda: slack.home_view(alice.id))
    assert view["type"] == "home"
    assert view["blocks"][0]["text"]["text"] == "opsbot"
