"""Every request to /slack/events is verified; bad ones get 401, never 500."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

URL_VERIFICATION = json.dumps(
    {"type": "url_verification", "challenge": "c-123", "token": "x"}
).encode()


def _command(slack) -> bytes:
    alice = slack.person("alice")
    return urlencode(
        {
            "command": "/ops",
            "text": "help",
            "user_id": alice.id,
            "channel_id": slack.channel_id("general"),
            "response_url": "http://127.0.0.1:9/none",
            "trigger_id": "t",
        }
    ).encode()


def _headers(slack, body: bytes, *, timestamp=None, form: bool = False) -> dict[str, str]:
    headers = slack.sign(body, timestamp)
    headers["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
    return headers


def test_a_signed_request_is_answered(bot, slack) -> None:
    """A correctly signed url_verification request gets its challenge back."""
    status, _, body = slack.post_to_bot(URL_VERIFICATION, _headers(slack, URL_VERIFICATION))
    assert status == 200
    assert json.loads(body)["challenge"] == "c-123"


@pytest.mark.parametrize(
    ("case", "mangle"),
    [
        ("forged signature", lambda h, b: {**h, "X-Slack-Signature": "v0=" + "0" * 64}),
        (
            "signature from another secret",
            lambda h, b: {**h, "X-Slack-Signature": h["X-Slack-Signature"][:-4] + "abcd"},
        ),
        ("timestamp six minutes old", None),
        ("timestamp six minutes ahead", None),
        ("malformed timestamp", lambda h, b: {**h, "X-Slack-Request-Timestamp": "abc"}),
        ("empty timestamp", lambda h, b: {**h, "X-Slack-Request-Timestamp": ""}),
        ("no signature headers", lambda h, b: {"Content-Type": h["Content-Type"]}),
    ],
)
def test_bad_requests_get_401(bot, slack, case: str, mangle) -> None:
    """Forged, stale, future, malformed or unsigned requests are refused with 401."""
    body = _command(slack)
    if case == "timestamp six minutes old":
        headers = _headers(slack, body, timestamp=int(time.time()) - 360, form=True)
    elif case == "timestamp six minutes ahead":
        headers = _headers(slack, body, timestamp=int(time.time()) + 360, form=True)
    else:
        headers = mangle(_headers(slack, body, form=True), body)
    status, _, answer = slack.post_to_bot(body, headers)
    assert status == 401, case
    assert json.loads(answer) == {"error": "invalid request"}
    assert slack.person("alice").ephemerals() == []


def test_a_body_changed_after_signing_gets_401(bot, slack) -> None:
    """The signature covers the raw body: a tampered body is refused."""
    body = _command(slack)
    headers = _headers(slack, body, form=True)
    status, _, _ = slack.post_to_bot(body.replace(b"help", b"team"), headers)
    assert status == 401


def test_ops_help_is_answered_ephemerally(bot, slack) -> None:
    """`/ops help` is acknowledged at once and answered only to the person who typed it."""
    alice = slack.person("alice")
    response = alice.command("/ops", "help", channel="general")
    assert response.status == 200
    reply = slack.wait_for(lambda: alice.ephemerals(), message="no reply to /ops help")
    assert "/incident" in reply[0].text and "/ops dashboard" in reply[0].text
    assert slack.messages("general") == []


def test_unknown_ops_subcommand_says_what_to_type(bot, slack) -> None:
    """A misspelt `/ops` subcommand gets an ephemeral refusal that points at help."""
    alice = slack.person("alice")
    alice.command("/ops", "dashbord", channel="general")
    reply = slack.wait_for(lambda: alice.ephemerals())
    assert "/ops help" in reply[0].text


def test_metrics_count_requests_by_kind(bot, slack) -> None:
    """/metrics exposes requests by kind (unsigned ones as "unverified") and ack latency."""
    import urllib.request

    slack.person("alice").command("/ops", "help", channel="general")
    slack.post_to_bot(_command(slack), {"Content-Type": "application/x-www-form-urlencoded"})
    text = urllib.request.urlopen(f"{bot.url}/metrics").read().decode()
    assert 'opsbot_slack_requests_total{kind="command",status="200"} 1.0' in text
    assert 'opsbot_slack_requests_total{kind="unverified",status="401"} 1.0' in text
    assert "opsbot_slack_ack_seconds_bucket" in text
    assert "opsbot_outbox_depth" in text
