"""`opsbot socket` as a real process: the same handlers over the stand-in's Socket Mode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from opsbot.testing import FakeSlack
from opsbot.testing.live import BOT_TOKEN

pytestmark = pytest.mark.slow
APP_TOKEN = "xapp-1-test"


class SocketBot:
    """One `python -m opsbot socket` process connected to the stand-in."""

    def __init__(self, slack: FakeSlack, database_url: str, log: Path) -> None:
        self.slack, self.database_url, self.log_path = slack, database_url, log
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> SocketBot:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env |= {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "OPSBOT_SLACK_API_URL": self.slack.api_url,
            "OPSBOT_DATABASE_URL": self.database_url,
            "OPSBOT_DELIVERY_POLL_SECONDS": "0.05",
        }
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "opsbot", "socket"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not self.slack.socket.connected:
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no Socket Mode connection\n{self.output()}"
            time.sleep(0.05)
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGKILL) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(30)
        if self._log is not None:
            self._log.close()
        return code


@pytest.fixture
def socket_bot(slack: FakeSlack, database_url: str, tmp_path: Path) -> Iterator[SocketBot]:
    slack.socket_mode(enabled=True)
    bot = SocketBot(slack, database_url, tmp_path / "opsbot-socket.log").start()
    yield bot
    bot.stop()


def test_ops_help_arrives_over_socket_mode(socket_bot: SocketBot, slack: FakeSlack) -> None:
    """`/ops help` typed with the bot on Socket Mode is acked over the socket, only to alice."""
    alice = slack.person("alice")
    assert alice.command("/ops", "help", channel="general").status == 200
    reply = slack.wait_for(lambda: alice.ephemerals(), message="no reply to /ops help")
    assert "/incident" in reply[0].text and "/ops dashboard" in reply[0].text
    assert slack.bot_url is None  # nothing could have gone over HTTP
    assert slack.socket.envelopes[-1]["type"] == "slash_commands"
    assert slack.messages("general") == []


def test_a_refusal_comes_back_in_the_ack(socket_bot: SocketBot, slack: FakeSlack) -> None:
    """A misspelt subcommand over Socket Mode is refused in the ack's payload, to the typist."""
    alice = slack.person("alice")
    alice.command("/ops", "dashbord", channel="general")
    reply = slack.wait_for(lambda: alice.ephemerals(), message="no refusal")
    assert "/ops help" in reply[0].text
    envelope = slack.socket.envelopes[-1]["envelope_id"]
    assert slack.socket.acks[envelope]["payload"]["text"] == reply[0].text
    assert slack.calls("response_url") == []


def test_an_event_retried_over_the_socket_is_handled_once(
    socket_bot: SocketBot, slack: FakeSlack
) -> None:
    """A redelivery (same event_id, retry_attempt 1) is acked but not handled a second time."""
    alice, bob = slack.person("alice"), slack.person("bob")
    opened = {"type": "app_home_opened", "user": alice.id, "tab": "home", "event_ts": "1.0"}
    assert slack.send_event(opened, event_id="EvSOCKET01").status == 200
    slack.wait_for(lambda: slack.home_view("alice"), message="alice's home was not published")
    assert slack.send_event(opened, event_id="EvSOCKET01", retry_num=1).status == 200
    assert slack.socket.envelopes[-1]["retry_attempt"] == 1
    bob_opened = {**opened, "user": bob.id}  # handled after the retry was acked: a barrier
    slack.send_event(bob_opened, event_id="EvSOCKET02")
    slack.wait_for(lambda: slack.home_view("bob"), message="bob's home was not published")
    published_to = [c.args["user_id"] for c in slack.calls("views.publish")]
    assert published_to.count(alice.id) == 1


def test_sigterm_stops_it_cleanly(socket_bot: SocketBot, slack: FakeSlack) -> None:
    """SIGTERM closes the Socket Mode connection and the process exits 0."""
    slack.person("alice").command("/ops", "help", channel="general")  # the link is in use
    assert socket_bot.stop(signal.SIGTERM) == 0, socket_bot.output()
    slack.wait_for(lambda: not slack.socket.connected, message="the socket stayed open")


def test_socket_refuses_to_start_without_the_app_token(database_url: str) -> None:
    """`opsbot socket` without SLACK_APP_TOKEN exits 2 naming the missing variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "OPSBOT_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "opsbot", "socket"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "SLACK_APP_TOKEN" in done.stderr
