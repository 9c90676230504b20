"""Starting the console: the stand-in, the bot on a SQLite file, and the read-act loop."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from typing import Any, TextIO

from opsbot.console.session import INTRO, Ask, Console


def _asker(script: TextIO | None, out: TextIO) -> Ask:
    def ask(prompt: str) -> str | None:
        if script is not None:
            line = script.readline()
            if not line:
                return None
            print(prompt + line.rstrip("\n"), file=out, flush=True)
            return line.rstrip("\n")
        try:
            return input(prompt)
        except EOFError:
            return None

    return ask


def run_console(
    *, script: str | None = None, out: TextIO | None = None, database_url: str | None = None
) -> int:
    """Start the stand-in and the bot, then read commands until `quit` or end of input."""
    from opsbot.testing import FakeSlack
    from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET, LiveBot

    out = out or sys.stdout
    if script is None and sys.stdin.isatty():
        import readline  # noqa: F401  line editing and history for input()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    workdir = tempfile.mkdtemp(prefix="opsbot-console-")
    url = (
        database_url
        or os.environ.get("OPSBOT_CONSOLE_DATABASE_URL")
        or f"sqlite:///{workdir}/console.db"
    )
    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    live = LiveBot(slack, url, OPSBOT_CONFIG=os.environ.get("OPSBOT_CONFIG"))
    for name in _channels_to_create(live):
        slack.add_channel(name)
    for teammate in ("alice", "bob", "carol", "dave"):
        slack.person(teammate)
    live.start()
    source = open(script) if script else None  # noqa: SIM115  closed below
    try:
        console = Console(slack, live, out, _asker(source, out))
        console.say(INTRO.format(you=console.me.name, channel=console.channel))
        console.say(f"(database: {url})")
        while True:
            line = console.ask(f"#{console.channel} @{console.me.name}> ")
            if line is None:
                break
            try:
                if not console.handle(line):
                    break
            except Exception as exc:
                logging.getLogger(__name__).debug("console command failed", exc_info=True)
                console.say(
                    f"That did not work ({type(exc).__name__}: {exc}). "
                    "The bot is still running; type `help`."
                )
    finally:
        if source:
            source.close()
        live.stop()
        slack.stop()
    return 0


def _channels_to_create(live: Any) -> list[str]:
    from opsbot.config import load_config

    config = live.config or load_config(os.environ.get("OPSBOT_CONFIG"))
    names = [
        "general",
        config.channels.incidents,
        config.channels.customer_comms,
        config.channels.ops,
        *(r.channel for r in config.rituals),
    ]
    return list(dict.fromkeys(n for n in names if n))
