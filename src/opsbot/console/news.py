"""What the bot did since the person last looked: waiting for it, then showing it.

The console never guesses how long the bot takes. Every request a person makes returns only
after Bolt has taken its work on, so the console waits while the bot has listener or command
work unfinished or Slack calls due in its outbox, waking at each of the bot's Web API calls
(the stand-in's ``bot_version``, read before the person acts, so an answer that came before
the wait, such as a command's ack, is never waited for again).
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opsbot.console.session import Console

_BUTTONS = re.compile(r"\[\d+\] ")
LOOK_SECONDS = 0.05  # how often a busy bot is looked at again, unless it acts sooner
QUIET_SECONDS = 0.1  # idle and silent this long: the bot is done (a guard for follow-up work)
LONGEST_SECONDS = 15.0  # never hold the prompt longer than this


@dataclass
class Settled:
    """How a wait for the bot ended: whether the bot acted since, and whether it is idle."""

    answered: bool
    idle: bool
    seconds: float


def settle(console: Console, before: int) -> Settled:
    """Wait until the bot is done (see :func:`wait_until_done`), then show what changed."""
    settled = wait_until_done(console, before)
    show_news(console)
    return settled


def wait_until_done(console: Console, before: int) -> Settled:
    """Wait until the bot is done with what the person did when its version was ``before``:
    no listener or command work unfinished, nothing due in its outbox, then a moment of
    silence."""
    slack, live = console.slack, console.live
    started = time.monotonic()
    deadline = started + LONGEST_SECONDS
    version, idle = before, False
    while time.monotonic() < deadline:
        if not live.idle():
            version = slack.wait_for_bot(version, LOOK_SECONDS)
            continue
        newer = slack.wait_for_bot(version, QUIET_SECONDS)
        if newer == version and live.idle():
            idle = True
            break
        version = newer
    settled = Settled(slack.bot_version > before, idle, time.monotonic() - started)
    console.last_settled = settled
    return settled


def show_news(console: Console) -> None:
    """Print the person's new ephemerals, new or edited messages they can see, and open the
    modal the bot just showed them."""
    me = console.me
    mine = me.ephemerals()
    seen = console.ephemerals_seen.get(me.id, 0)
    for ephemeral in mine[:seen]:  # a reply the bot replaced (Done, Undo…): shown again
        if ephemeral.edits != console.ephemeral_edits.get(ephemeral.ts, 0):
            console.ephemeral_edits[ephemeral.ts] = ephemeral.edits
            where = console.channel_name(ephemeral.channel)
            console.say(f"(only visible to you in #{where}; your earlier reply, replaced)")
            for line in console.ephemeral_lines(ephemeral):
                console.say("   " + line)
    for ephemeral in mine[seen:]:
        where = console.channel_name(ephemeral.channel)
        console.say(f"(only visible to you in #{where})")
        for line in console.ephemeral_lines(ephemeral):
            console.say("   " + line)
    console.ephemerals_seen[me.id] = len(mine)
    for channel in console.slack.channels() + _my_dm(console):
        if (channel.is_im or channel.is_private) and me.id not in channel.members:
            continue
        fresh = []
        for message in console.slack.messages(channel.id, with_replies=True):
            key = (channel.id, message.ts)
            state = -1 if message.deleted else message.edits
            if console.seen.get(key) != state:
                if not message.deleted:
                    fresh.append(message)
                console.seen[key] = state
        if fresh:
            console.say(f"── {'your DMs' if channel.is_im else '#' + channel.name} ──")
            for message in fresh:
                shown_before = console.rendered.get((channel.id, message.ts))
                lines = console.message_lines(message)
                if shown_before is not None and message.edits:
                    lines = changed_lines(shown_before, lines)
                for line in lines:
                    console.say(line)
    _maybe_fill_modal(console)


def changed_lines(before: list[str], now: list[str]) -> list[str]:
    """An edited message as news: its heading and first line, the lines that are new or
    changed, and its buttons; a count stands in for the unchanged lines left out."""
    shown, hidden = now[:2], 0
    matcher = difflib.SequenceMatcher(a=before[2:], b=now[2:], autojunk=False)
    for tag, _, _, start, end in matcher.get_opcodes():
        for line in now[2:][start:end]:
            if tag != "equal" or _BUTTONS.search(line):
                shown.append(line)
            else:
                hidden += 1
    if before[1:] == now[1:]:
        shown.append("      (edited again with nothing you can see changed)")
    elif hidden:
        shown.append(f"      … {hidden} unchanged lines (`show` in that channel shows it all)")
    return shown


def _my_dm(console: Console) -> list[Any]:
    try:
        return [console.slack.channel(console.me.id)]
    except KeyError:
        return []


def _maybe_fill_modal(console: Console) -> None:
    from opsbot.console.forms import fill_modal

    views = console.slack.open_views(console.me.id)
    if not views:
        return
    top = views[-1]
    if top["id"] + top.get("hash", "") in console.views_seen:
        return
    console.views_seen.add(top["id"] + top.get("hash", ""))
    fill_modal(console, top)


def mark_all_seen(console: Console) -> None:
    """Count everything there is now as seen (at start, after restoring a workspace)."""
    for channel in console.slack.channels():
        for message in console.slack.messages(channel.id, with_replies=True):
            key = (channel.id, message.ts)
            console.seen[key] = -1 if message.deleted else message.edits
    for person in console.slack.people():
        console.ephemerals_seen[person.id] = len(console.slack.ephemerals(person.id))
