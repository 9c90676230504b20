"""`opsbot serve` as a real process: killed, stopped and cut off from its database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from opsbot import outbox
from opsbot.db import make_engine, transaction
from opsbot.outbox import OutboxJob
from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """One `python -m opsbot serve` process pointed at the stand-in."""

    def __init__(self, slack, database_url: str) -> None:
        self.slack, self.database_url = slack, database_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> Serve:
        self.port = _free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "OPSBOT_DATABASE_URL": self.database_url,
            "OPSBOT_SLACK_API_URL": self.slack.api_url,
            "OPSBOT_OUTBOX_LEASE_SECONDS": "1",
            "OPSBOT_RETRY_BASE_SECONDS": "0.1",
            "OPSBOT_DELIVERY_POLL_SECONDS": "0.05",
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opsbot",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            raise AssertionError("opsbot serve did not come up")
        self.slack.bot_url = f"http://127.0.0.1:{self.port}/slack/events"
        return self

    def output(self) -> str:
        if self.proc and self.proc.poll() is not None and self.proc.stdout:
            return self.proc.stdout.read().decode(errors="replace")
        return ""

    def kill(self, sig: int = signal.SIGKILL) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(30)


@pytest.fixture
def serve(slack, database_url: str) -> Iterator[Serve]:
    runner = Serve(slack, database_url)
    yield runner
    if runner.proc and runner.proc.poll() is None:
        runner.kill()


def _enqueue(database_url: str, text: str) -> int:
    engine = make_engine(database_url)
    with transaction(engine) as session:
        job = outbox.post(session, channel="general", text=text)
        job_id = int(job.id or 0)
    engine.dispose()
    return job_id


def _status(database_url: str, job_id: int) -> str:
    engine = make_engine(database_url)
    with Session(engine) as session:
        job = session.exec(select(OutboxJob).where(OutboxJob.id == job_id)).one()
    engine.dispose()
    return job.status


def _texts(slack) -> list[str]:
    return [m.text for m in slack.messages("general")]


def test_killed_between_the_state_change_and_its_message(serve, slack, database_url) -> None:
    """SIGKILL while Slack is failing loses nothing: the next process sends the message once."""
    serve.start()
    slack.fail("chat.postMessage", status=500, times=None)
    job_id = _enqueue(database_url, "state changed")
    slack.wait_for(lambda: slack.calls("chat.postMessage"), timeout=10)
    serve.kill()
    slack.clear_faults()
    serve.start()
    slack.wait_for(lambda: _status(database_url, job_id) == "done", timeout=15)
    assert _texts(slack) == ["state changed"]  # done: nothing more of this job will be sent


def test_killed_while_a_post_is_in_flight_it_is_not_doubled(serve, slack, database_url) -> None:
    """SIGKILL after Slack stored a post but before opsbot heard back does not repeat the post."""
    serve.start()
    slack.fail("chat.postMessage", error=None, delay=20, delay_after_effect=True, times=1)
    job_id = _enqueue(database_url, "exactly once")
    slack.wait_for(lambda: _texts(slack) == ["exactly once"], timeout=10)
    serve.kill()
    serve.start()
    slack.wait_for(lambda: _status(database_url, job_id) == "done", timeout=15)
    assert _texts(slack) == ["exactly once"]
    assert len(slack.calls("conversations.history")) >= 1


def test_sigterm_finishes_the_post_in_hand(serve, slack, database_url) -> None:
    """SIGTERM lets the in-flight post finish and leaves the outbox consistent."""
    serve.start()
    slack.fail("chat.postMessage", error=None, delay=2, delay_after_effect=True, times=1)
    job_id = _enqueue(database_url, "finish me")
    slack.wait_for(lambda: _texts(slack) == ["finish me"], timeout=10)
    assert serve.kill(signal.SIGTERM) == 0, serve.output()
    assert _status(database_url, job_id) == "done", serve.output()
    assert _texts(slack) == ["finish me"]


def test_serve_refuses_to_start_without_its_tokens(database_url) -> None:
    """`opsbot serve` without SLACK_BOT_TOKEN exits 2 naming the missing variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["OPSBOT_DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "opsbot", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN" in done.stderr and "SLACK_SIGNING_SECRET" in done.stderr
