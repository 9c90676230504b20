"""Starting the console: the stand-in, the bot on a database, and the read-act loop.

Without ``OPSBOT_CONSOLE_DATABASE_URL`` each run starts afresh on a SQLite file in a temporary
folder, removed at exit. With it, the stand-in's workspace (channels, messages, people) is kept
in a file too, so a console started again finds its incidents' channels where it left them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url

from opsbot.console.session import INTRO, Ask, Console

TEAMMATES = ("alice", "bob", "carol", "dave")


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


def workspace_file(database_url: str) -> Path:
    """Where the stand-in's workspace is kept for a database: ``OPSBOT_CONSOLE_WORKSPACE``, or
    beside a SQLite file, or in the user's state folder under a name made from the URL."""
    if chosen := os.environ.get("OPSBOT_CONSOLE_WORKSPACE"):
        return Path(chosen)
    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        return Path(url.database + ".slack.json")
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return state / "opsbot" / f"console-{digest}.slack.json"


@contextlib.contextmanager
def _database(database_url: str | None) -> Iterator[tuple[str, Path | None]]:
    """The database URL and the workspace file (None: a throwaway run, nothing kept)."""
    url = database_url or os.environ.get("OPSBOT_CONSOLE_DATABASE_URL")
    if url:
        yield url, workspace_file(url)
        return
    with tempfile.TemporaryDirectory(prefix="opsbot-console-", ignore_cleanup_errors=True) as tmp:
        yield f"sqlite:///{tmp}/console.db", None


def run_console(
    *, script: str | None = None, out: TextIO | None = None, database_url: str | None = None
) -> int:
    """Start the stand-in and the bot, then read commands until `quit` or end of input."""
    out = out or sys.stdout
    if script is None and sys.stdin.isatty():
        import readline  # noqa: F401  line editing and history for input()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with _database(database_url) as (url, kept), open_script(script) as source:
        return _session(url, kept, source, out)


@contextlib.contextmanager
def open_script(script: str | None) -> Iterator[TextIO | None]:
    if script is None:
        yield None
        return
    with open(script, encoding="utf-8") as source:
        yield source


def _session(url: str, kept: Path | None, source: TextIO | None, out: TextIO) -> int:
    from opsbot.testing import FakeSlack
    from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET, LiveBot

    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    restored = kept is not None and slack.load(kept)
    live = LiveBot(slack, url, OPSBOT_CONFIG=os.environ.get("OPSBOT_CONFIG"))
    try:
        for name in _channels_to_create(live):
            with contextlib.suppress(ValueError):  # restored with the workspace
                slack.add_channel(name)
        for teammate in TEAMMATES:
            slack.person(teammate)
        live.start()
        console = Console(slack, live, out, _asker(source, out))
        console.say(INTRO.format(you=console.me.name, channel=console.channel))
        console.say(f"(database: {make_url(url).render_as_string(hide_password=True)})")
        if kept is not None:
            again = "found again" if restored else "kept from now on"
            console.say(f"(Slack workspace {again} in {kept})")
        _loop(console, slack, kept)
    finally:
        live.stop()
        if kept is not None:
            slack.save(kept)
        slack.stop()
    return 0


def _loop(console: Console, slack: Any, kept: Path | None) -> None:
    try:
        _read_act(console, slack, kept)
    except KeyboardInterrupt:
        console.say("\n(Ctrl-C: leaving; the bot finishes what it has in hand)")


def _read_act(console: Console, slack: Any, kept: Path | None) -> None:
    while True:
        line = console.ask(f"#{console.channel} @{console.me.name}> ")
        if line is None:
            return
        try:
            if not console.handle(line):
                return
        except Exception as exc:
            logging.getLogger(__name__).debug("console command failed", exc_info=True)
            console.say(
                f"That did not work ({type(exc).__name__}: {exc}). "
                "The bot is still running; type `help`."
            )
        if kept is not None:
            slack.save(kept)


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
