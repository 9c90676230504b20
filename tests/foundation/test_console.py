"""`opsbot console` runs the whole bot against the stand-in in a terminal."""

from __future__ import annotations

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
