"""Real `opsbot serve` processes: a bad configuration is refused, and two replicas on one
PostgreSQL post each occurrence once, the survivor taking over when the leader dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET

EVERY_MINUTE = """
rituals:
  - key: every-minute
    name: Every minute
    schedule: {cron: "* * * * *", timezone: UTC}
    channel: ai-ops
    owners: [U0ALICE001]
    window_minutes: 10
    remind_after_minutes: [9]
    grace_minutes: 1
    questions: ["Still there?"]
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(slack: Any, database_url: str, config: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "OPSBOT_SLACK_API_URL": slack.api_url,
        "OPSBOT_DATABASE_URL": database_url,
        "OPSBOT_CONFIG": str(config),
        "OPSBOT_DELIVERY_POLL_SECONDS": "0.1",
    }


def test_a_malformed_configuration_is_refused_with_its_key_path(
    slack, database_url, tmp_path
) -> None:
    """`opsbot serve` with a bad OPSBOT_CONFIG exits with code 2 and names the key path and
    the problem on stderr."""
    config = tmp_path / "bad.yaml"
    config.write_text(
        EVERY_MINUTE.replace('"* * * * *"', '"61 * * * *"').replace(
            "grace_minutes: 1", "grace_minutes: -5"
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "opsbot", "serve", "--port", str(_free_port())],
        env=_env(slack, database_url, config),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "rituals[0].schedule.cron" in done.stderr and "61" in done.stderr
    assert "rituals[0].grace_minutes" in done.stderr
    assert "Traceback" not in done.stderr


class Replica:
    """One `opsbot serve` process, its log kept in a file."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = _free_port()
        self.log = log_dir / f"{name}.log"
        self.process = subprocess.Popen(
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
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def leads(self) -> bool:
        return "now leads the scheduler" in self.log.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(30)


def _unsent(database_url: str) -> int:
    """Outbox jobs not yet sent (waiting or in flight) in the replicas' database."""
    from opsbot import outbox
    from opsbot.db import make_engine, transaction

    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            return outbox.depth(session)
    finally:
        engine.dispose()


def _checkins(slack: Any) -> list[str]:
    return [
        m.text
        for m in slack.messages("ai-ops")
        if m.user is None and not m.is_reply and m.text.startswith("Every minute:")
    ]


@pytest.mark.slow
def test_two_replicas_post_each_occurrence_once_and_survive_the_leader(
    postgres_only, slack, database_url, tmp_path
) -> None:
    """Two `opsbot serve` replicas on one PostgreSQL post each minute's occurrence exactly
    once; when the leader is killed, the other takes over and goes on posting, still once."""
    config = tmp_path / "rituals.yaml"
    config.write_text(EVERY_MINUTE)
    env = _env(slack, database_url, config)
    replicas = [Replica(name, env, tmp_path) for name in ("one", "two")]
    try:
        slack.wait_for(
            lambda: all(r.healthy() for r in replicas),
            timeout=60,
            message="replicas did not come up",
        )
        leader = slack.wait_for(
            lambda: next((r for r in replicas if r.leads()), None),
            timeout=30,
            message="no replica leads the scheduler",
        )
        assert sum(r.leads() for r in replicas) == 1
        # The first minute boundary after the start is posted on the dot by the leader.
        slack.wait_for(
            lambda: len(_checkins(slack)) >= 1,
            timeout=90,
            message="the first minute's occurrence was not posted",
        )
        leader.stop(signal.SIGKILL)
        survivor = next(r for r in replicas if r is not leader)
        posted_before = len(_checkins(slack))
        slack.wait_for(survivor.leads, timeout=30, message="the survivor did not take over")
        slack.wait_for(
            lambda: len(_checkins(slack)) >= posted_before + 1,
            timeout=90,
            message="nothing posted after the leader died",
        )
        slack.wait_for(  # every claimed message sent: a duplicate, if any, has arrived
            lambda: _unsent(database_url) == 0, timeout=60, message="the outbox never drained"
        )
        counts = Counter(_checkins(slack))
        assert counts and max(counts.values()) == 1, counts
        posts = [
            c
            for c in slack.calls("chat.postMessage")
            if c.ok and str(c.args.get("text", "")).startswith("Every minute:")
        ]
        assert len(posts) == len(counts), "a check-in message was sent twice"
    finally:
        for replica in replicas:
            replica.stop()
