"""How long the console takes to show the bot's answer to a typed line.

`opsbot console`'s own session (the Console class, the stand-in and opsbot in this process, as
`opsbot console` runs them) types each line and the clock stops when the console has shown
the answer and given the prompt back. The lines are typical: an ephemeral reply in the
command's ack (`/ops help`), ephemeral replies posted to the response_url after an empty ack
(`/incident list`, `/ritual list`, `/ops team`), a modal opened (`/incident declare` with no
title; closed again with `cancel`), and a declaration with its channel, panel and announcement.
Target: every typical ephemeral reply and modal shown in under a second.

    python benchmarks/console_latency.py [--rounds 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

from opsbot.console.session import Console
from opsbot.testing import FakeSlack
from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET, LiveBot

TARGET_SECONDS = 1.0
LINES = {  # what is typed -> the answers a modal asks for
    "/ops help": (),
    "/incident list": (),
    "/ritual list": (),
    "/ops team": (),
    "/incident declare": ("cancel",),
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(rounds: int, database_url: str | None) -> dict[str, list[float]]:
    """Seconds from typing each line to the console having shown the answer, per line."""
    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    for name in ("general", "incidents", "customer-comms", "ai-ops"):
        slack.add_channel(name)
    answers: deque[str] = deque()
    screen = io.StringIO()
    times: dict[str, list[float]] = {line: [] for line in (*LINES, "/incident declare sev3 …")}
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        bot = LiveBot(slack, url).start()
        try:
            console = Console(slack, bot, screen, lambda prompt: answers.popleft())
            console.handle("/ops help")  # warm-up: first request, first imports
            for n in range(rounds):
                for line, typed in LINES.items():
                    answers.extend(typed)
                    times[line].append(_timed(console, line))
                declare = f"/incident declare sev3 Benchmark incident {n}"
                times["/incident declare sev3 …"].append(_timed(console, declare))
        finally:
            bot.stop()
            slack.stop()
    return times


def _timed(console: Console, line: str) -> float:
    started = time.perf_counter()
    console.handle(line)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    times = measure(args.rounds, args.database_url)
    backend = (args.database_url or "sqlite").split(":", 1)[0].split("+", 1)[0]
    print(
        f"console: typed line -> answer shown, {args.rounds} rounds "
        f"({backend}, Python {platform.python_version()}, {platform.machine()})"
    )
    print("| line | p50 | p95 | max |")
    print("|---|---|---|---|")
    for line, seconds in times.items():
        shown = (statistics.median(seconds), percentile(seconds, 0.95), max(seconds))
        print(f"| `{line}` | " + " | ".join(f"{s * 1000:.0f} ms" for s in shown) + " |")
    typical = [s for line, seconds in times.items() if "sev3" not in line for s in seconds]
    verdict = "meets" if max(typical) < TARGET_SECONDS else "misses"
    print(
        f"slowest typical reply or modal: {max(typical) * 1000:.0f} ms ({verdict} the 1 s target)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
