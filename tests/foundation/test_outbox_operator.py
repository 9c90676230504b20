"""Stuck Slack work, as an operator meets it: `opsbot outbox` lists what waits or failed with
its last error, `retry` sends a job again, `drop` gives up on one; `/metrics` shows the oldest
waiting job's age by lane kind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsbot import outbox
from opsbot.cli import main
from opsbot.outbox import OutboxJob
from opsbot.testing.live import LiveBot

T0 = datetime(2031, 5, 6, 7, 0, tzinfo=UTC)


class ManualClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += timedelta(seconds=seconds)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("OPSBOT_DATABASE_URL", database_url)


def opsbot(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _post(bot: Any, channel: str, text: str, **kwargs: Any) -> int:
    with bot.ctx.tx() as session:
        job = outbox.post(session, channel=channel, text=text, now=bot.ctx.clock(), **kwargs)
        return int(job.id or 0)


def _job(bot: Any, job_id: int) -> OutboxJob:
    with bot.ctx.tx() as session:
        job = session.get(OutboxJob, job_id)
        assert job is not None
        return job


def _texts(slack: Any, channel: str) -> list[str]:
    return [m.text for m in slack.messages(channel)]


def _rows(out: str) -> dict[int, str]:
    """The table's rows by job id (the table ends at the first blank line)."""
    table = out.split("\n\n", 1)[0].splitlines()[1:]
    return {int(line.split()[0]): line for line in table}


def _line(out: str, job_id: int) -> str:
    return _rows(out)[job_id]


def test_outbox_lists_waiting_and_failed_jobs_with_their_last_error(
    bot, slack, cli_env, capsys
) -> None:
    """A job Slack keeps answering 500 is listed as pending with internal_error, a job to a
    missing channel as failed with channel_not_found; sent jobs are not listed."""
    slack.fail("chat.postMessage", status=500, text="stuck", times=None)
    sent = _post(bot, "general", "fine")
    waiting = _post(bot, "ai-ops", "stuck for now")
    failed = _post(bot, "no-such-channel", "lost cause")
    slack.wait_for(lambda: _job(bot, failed).status == "failed")
    slack.wait_for(lambda: _job(bot, waiting).attempts >= 1 and _job(bot, sent).status == "done")
    bot.stop()  # the waiting job stays waiting, not in a worker's hands, while we read
    code, out, _ = opsbot(capsys, "outbox")
    assert code == 0
    assert _line(out, waiting).split()[1:4] == ["pending", "channel:ai-ops", "post"]
    assert _line(out, waiting).endswith("internal_error")
    assert _line(out, failed).split()[1] == "failed"
    assert _line(out, failed).endswith("channel_not_found")
    assert sorted(_rows(out)) == [waiting, failed]
    assert "1 waiting, 0 being sent, 1 failed." in out
    code, out, _ = opsbot(capsys, "outbox", "--json")
    assert [(j["id"], j["status"]) for j in json.loads(out)] == [
        (waiting, "pending"),
        (failed, "failed"),
    ]


def test_outbox_retry_sends_a_failed_job_again(bot, slack, cli_env, capsys) -> None:
    """After the missing channel is created, `opsbot outbox retry ID` posts the failed message."""
    failed = _post(bot, "late-channel", "finally")
    slack.wait_for(lambda: _job(bot, failed).status == "failed")
    slack.add_channel("late-channel")
    code, out, _ = opsbot(capsys, "outbox", "retry", str(failed))
    assert code == 0 and f"Job {failed}" in out and "sent again now" in out
    bot.ctx.wake_delivery()
    slack.wait_for(lambda: _texts(slack, "late-channel") == ["finally"])
    slack.wait_for(lambda: _job(bot, failed).status == "done")


def test_outbox_drop_gives_up_on_a_job_and_its_lane_moves_on(bot, slack, cli_env, capsys) -> None:
    """Dropping the job that holds its lane (Slack refuses it again and again) lets the next job
    of that lane go, and the dropped one is never sent."""
    slack.fail("chat.postMessage", status=500, text="refused", times=None)
    stuck = _post(bot, "general", "refused forever", lane="channel:ops-lane")
    behind = _post(bot, "general", "next in the lane", lane="channel:ops-lane")
    slack.wait_for(lambda: _job(bot, stuck).attempts >= 1)
    assert _job(bot, behind).status == "pending"
    code, out, _ = opsbot(capsys, "outbox", "drop", str(stuck))
    assert code == 0 and "will not be sent" in out
    slack.wait_for(lambda: _job(bot, behind).status == "done")
    assert _texts(slack, "general") == ["next in the lane"]
    assert _job(bot, stuck).status == "dropped"
    code, out, _ = opsbot(capsys, "outbox")
    assert "Nothing is waiting or failed" in out


def test_outbox_refusals_say_why_and_change_nothing(bot, slack, cli_env, capsys) -> None:
    """Unknown ids, sent jobs, a job being sent right now and a non-number are refused with
    what to do instead; the job is left as it was."""
    done = _post(bot, "general", "sent")
    slack.wait_for(lambda: _job(bot, done).status == "done")
    code, _, err = opsbot(capsys, "outbox", "retry", "999")
    assert code == 1 and "no outbox job 999" in err and "`opsbot outbox` lists" in err
    code, _, err = opsbot(capsys, "outbox", "drop", str(done))
    assert code == 1 and "was sent already" in err
    hold = slack.hold("chat.postMessage", channel="ai-ops", after_effect=False)
    busy = _post(bot, "ai-ops", "held")
    slack.wait_for(lambda: hold.arrived == 1)
    code, _, err = opsbot(capsys, "outbox", "retry", str(busy))
    assert code == 1 and "being sent right now" in err
    assert _job(bot, busy).status == "in_flight"
    hold.release()
    slack.wait_for(lambda: _job(bot, busy).status == "done")
    with pytest.raises(SystemExit):
        opsbot(capsys, "outbox", "retry", "seven")
    assert "not a job id" in capsys.readouterr().err


def test_two_operators_dropping_one_job_at_once_drop_it_once(slack, database_url, cli_env) -> None:
    """Two `opsbot outbox drop` processes racing on one waiting job: one drops it, the other
    is told it was dropped already."""
    with LiveBot(slack, database_url, start_workers=False) as live:
        job_id = _post(live, "general", "never")
    env = {**os.environ, "OPSBOT_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "opsbot", "outbox", "drop", str(job_id)]
    runs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    answers = [run.communicate(timeout=60) for run in runs]
    results = sorted((run.returncode, *answer) for run, answer in zip(runs, answers, strict=True))
    assert [code for code, _, _ in results] == [0, 1]
    assert "will not be sent" in results[0][1]
    assert "dropped already" in results[1][2]


def test_metrics_show_the_oldest_waiting_age_by_lane_kind(slack, database_url) -> None:
    """With jobs waiting in incident, ritual and old-style lanes, /metrics gives each lane
    kind's oldest age on the bot's clock, from a fixed set of labels whatever the lane ids."""
    clock = ManualClock(T0)
    with LiveBot(slack, database_url, clock=clock, start_workers=False) as live:
        for n in range(30):  # many incidents: still one series per lane kind
            _post(live, f"C0INC{n:05d}", "panel", lane=outbox.lane_name("incident", n))
        clock.advance(60)
        _post(live, "ai-ops", "check in", lane=outbox.lane_name("ritual", 4))
        _post(live, "ai-ops", "from before lanes had kinds", lane="ai-ops")
        clock.advance(30)
        metrics = urllib.request.urlopen(f"{live.url}/metrics").read().decode()
    series = [line for line in metrics.splitlines() if line.startswith("opsbot_outbox_oldest")]
    assert series == [
        'opsbot_outbox_oldest_pending_seconds{lane="incident"} 90.0',
        'opsbot_outbox_oldest_pending_seconds{lane="ritual"} 30.0',
        'opsbot_outbox_oldest_pending_seconds{lane="dashboard"} 0.0',
        'opsbot_outbox_oldest_pending_seconds{lane="channel"} 0.0',
        'opsbot_outbox_oldest_pending_seconds{lane="other"} 30.0',
    ]
