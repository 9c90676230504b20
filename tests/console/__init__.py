"""Tests of `opsbot console`: the console driving the whole bot through the Slack stand-in."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

from opsbot.console.session import Console


class Typist:
    """A person at the console: each line typed is handled, and the screen's new text returned.

    Answers a modal asks for are queued with ``answers``, as the next lines of a script would be.
    """

    def __init__(self, slack: Any, live: Any) -> None:
        self.screen = io.StringIO()
        self.queued: deque[str] = deque()
        self.console = Console(slack, live, self.screen, self._ask)

    def _ask(self, prompt: str) -> str | None:
        line = self.queued.popleft() if self.queued else None
        self.screen.write(f"{prompt}{line if line is not None else ''}\n")
        return line

    def type(self, line: str, *answers: str) -> str:
        """Type ``line`` (then ``answers`` to whatever the console asks); what appeared."""
        start = len(self.screen.getvalue())
        self.queued.extend(answers)
        self.console.handle(line)
        assert not self.queued, f"the console did not ask for {list(self.queued)}"
        return self.screen.getvalue()[start:]


def run_script(
    lines: list[str],
    *,
    cwd: Path,
    database_url: str | None = None,
    workspace: Path | None = None,
    tmpdir: Path | None = None,
) -> str:
    """Run `opsbot console --script` on ``lines`` in a process of its own; what it printed."""
    script = cwd / "console-script.txt" if tmpdir is None else tmpdir / "console-script.txt"
    script.write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSBOT_CONSOLE_")}
    if database_url:
        env["OPSBOT_CONSOLE_DATABASE_URL"] = database_url
    if workspace:
        env["OPSBOT_CONSOLE_WORKSPACE"] = str(workspace)
    if tmpdir:
        env["TMPDIR"] = str(tmpdir)
    done = subprocess.run(
        [sys.executable, "-m", "opsbot", "console", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    script.unlink()
    return done.stdout
