"""`opsbot console` runs the whole bot against the stand-in in a terminal."""

from __future__ import annotations

import json
import subprocess
import sys


def _console(tmp_path, lines: list[str]) -> str:
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "opsbot", "console", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ops_help_is_answered_in_the_console(tmp_path) -> None:
    """Typing `/ops help` in the console shows the bot's ephemeral help from the stand-in."""
    out = _console(tmp_path, ["/ops help", "quit"])
    assert "(only visible to you in #general)" in out
    assert "/ops dashboard" in out and "/incident" in out


def test_mentions_typed_in_the_console_reach_the_bot_as_slack_sends_them(tmp_path) -> None:
    """`@bob` in a typed command arrives as Slack's escaped mention and is shown as @bob."""
    out = _console(tmp_path, ["/ops team set eval-engineer @bob", "/ops team", "quit"])
    assert "gave the *eval-engineer* role to @bob" in out
    assert "*eval-engineer*: @bob" in out


def test_console_explains_unknown_input(tmp_path) -> None:
    """A word the console does not know gets a pointer to `help`, and the session goes on."""
    out = _console(tmp_path, ["frobnicate", "#nowhere", "channels", "quit"])
    assert "I don't know `frobnicate`" in out
    assert "There is no #nowhere" in out
    assert "#ai-ops" in out


def test_console_ingest_verifies_the_fix_its_eval_run_tests(tmp_path) -> None:
    """`ingest` at the console stores an eval run whose passing case verifies an incident's fix:
    the console says so and the incident channel is told."""
    run = {
        "kind": "eval-run",
        "suite": "refunds",
        "tag": "v13",
        "run_id": "r-9",
        "at": "2026-11-20T10:00:00+00:00",
        "cases": [{"id": "eval-guard", "passed": True}],
    }
    (tmp_path / "run.jsonl").write_text(json.dumps(run) + "\n")
    out = _console(
        tmp_path,
        [
            "/incident declare sev2 Refunds wrong",
            "#inc-1-refunds-wrong",
            "/incident fix Restore the cap test=eval-guard",
            "ingest run.jsonl",
            "quit",
        ],
    )
    assert "Stored 0 confidence scores, 0 outcomes and 1 eval runs." in out
    assert "Verified fix 1 of incident 1 (test eval-guard)." in out
    assert "✅ Fix 1 is verified: eval run `r-9` passed `eval-guard`." in out


def test_console_shows_slack_dates_as_the_slack_client_would() -> None:
    """`<!date^…^{ago}|…>` renders as a relative time, and `{time}` as a clock time."""
    import time

    from opsbot.console.render import Renderer

    render = Renderer(lambda user: user, lambda channel: channel)
    epoch = int(time.time()) - 125
    assert render.text(f"<!date^{epoch}^{{ago}}|fallback>") == "2 min ago"
    assert "fallback" not in render.text(f"<!date^{epoch}^{{date_short_pretty}} {{time}}|fallback>")
