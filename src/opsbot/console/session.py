"""The console loop: a person types, the bot answers through the stand-in, the screen shows it."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any, TextIO

from opsbot.console import looking, news
from opsbot.console.buttons import PERSONAL, ButtonBoard, Surface
from opsbot.console.render import Number, Renderer
from opsbot.manifest import COMMANDS as MANIFEST_COMMANDS

INTRO = """opsbot console: the whole bot (same handlers, database, scheduler, delivery) against a
local Slack stand-in. You are @{you} in #{channel}. Type `help` for console commands, or a
slash command such as `/ops help`, `/incident declare sev2 Refunds agent approves too much`."""

HELP = """Console commands
  {commands}   a slash command, typed in the current channel
  #name                  go to channel #name            channels     list channels
  show [N]               the last N messages here (10)  thread <n>   the replies to message n
  click <n>|<label>      click button [n] wherever it was shown, or the last one shown
                         with that label (`click Check in`)
  react <emoji> <n>      react to message n here (📌 is `react pushpin 2`)
  say <text>             post a message here as yourself
  home                   open your App Home tab         files        files uploaded here
  ingest <file.jsonl>    feed telemetry to the bot (the format: README, "The JSONL file")
  file <n> [save PATH]   print file n (or save it)      people       who is in the workspace
  as <name>              act as someone else            people add <name>   add a person
  wait [seconds]         let the bot work and show what changed (default 2); Enter alone
                         shows what the bot did meanwhile
  help                   this text                      quit         leave
Messages are numbered per channel; buttons keep their number for the whole session."""

Ask = Callable[[str], "str | None"]
COMMANDS = tuple(str(c["command"]) for c in MANIFEST_COMMANDS)  # what Slack lets a person type
_MENTION = re.compile(r"(?<![<\w])@([a-z0-9][a-z0-9._-]*)")


class Console:
    """One person at a terminal, driving opsbot through the stand-in."""

    def __init__(self, slack: Any, live: Any, out: TextIO, ask: Ask) -> None:
        self.slack, self.live, self.out, self.ask = slack, live, out, ask
        self.me = slack.person(os.environ.get("OPSBOT_CONSOLE_USER", "you"))
        self.channel = "general"
        self.board = ButtonBoard()
        self.seen: dict[tuple[str, str], int] = {}  # (channel, ts) -> edits shown; -1 deleted
        self.rendered: dict[tuple[str, str], list[str]] = {}  # (channel, ts) -> lines shown
        self.ephemerals_seen: dict[str, int] = {}
        self.ephemeral_edits: dict[str, int] = {}  # ts -> times replaced, as last shown
        self.views_seen: set[str] = set()
        self.render = Renderer(self.user_name, self.channel_name)
        self.last_settled: news.Settled | None = None
        news.mark_all_seen(self)

    # ---- output ----------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def user_name(self, user_id: str) -> str:
        user = self.slack.ws.users.get(user_id)
        return str(user.name) if user else user_id

    def channel_name(self, channel_id: str) -> str:
        try:
            channel = self.slack.channel(channel_id)
        except KeyError:
            return channel_id
        return "DM" if channel.is_im else str(channel.name)

    def numbers(self, channel: str) -> list[Any]:
        """The channel's top-level messages, deleted ones included: message n is [n - 1]."""
        return list(self.slack.messages(channel))

    def numbering(self, surface: Surface) -> Number:
        return lambda label, action_id, value: self.board.number(surface, label, action_id, value)

    def message_lines(self, message: Any, number: int | None = None) -> list[str]:
        """A message as the person reads it: who, when, the body, files, reactions, replies."""
        author = "opsbot" if message.user is None else self.user_name(message.user)
        when = time.strftime("%H:%M", time.localtime(float(message.ts)))
        edited = " (edited)" if message.edits else ""
        if message.is_reply:
            parent = self._number_of(message.channel, message.thread_ts)
            lines = [f"   ↳ {author} {when}{edited}, in the thread of message {parent}"]
        else:
            number = number or self._number_of(message.channel, message.ts)
            lines = [f"{number:>3}. {author} {when}{edited}"]
        surface = Surface("message", self.me.id, message.channel, message.ts)
        body = (
            self.render.blocks(message.blocks, self.numbering(surface))
            if message.blocks
            else self.render.text(message.text or "").splitlines()
        )
        lines.extend("      " + line for line in body)
        for file in message.files or []:
            lines.append(f"      [file: {file.title or file.filename}] (type `files` to list them)")
        if message.reactions:
            lines.append(
                "      " + " ".join(f":{k}: {len(v)}" for k, v in message.reactions.items())
            )
        if not message.is_reply:
            replies = len(self.slack.replies(message.channel, message.ts))
            if replies:
                plural = "reply" if replies == 1 else "replies"
                lines.append(f"      💬 {replies} {plural} (`thread {number}` in that channel)")
        self.rendered[(message.channel, message.ts)] = lines
        return lines

    def ephemeral_lines(self, ephemeral: Any) -> list[str]:
        surface = Surface("ephemeral", self.me.id, ephemeral.channel, ephemeral.ts)
        if ephemeral.blocks:
            return self.render.blocks(ephemeral.blocks, self.numbering(surface))
        return self.render.text(ephemeral.text).splitlines()

    def _number_of(self, channel: str, ts: str | None) -> int:
        for index, message in enumerate(self.numbers(channel), 1):
            if message.ts == ts:
                return index
        return 0

    # ---- commands ------------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Act on one line; False when the person wants to leave."""
        line = line.strip()
        if not line:  # Enter alone: show whatever the bot did meanwhile (a reminder, a check-in)
            news.show_news(self)
            return True
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            if command not in COMMANDS:
                self.say(
                    f"Slack: {command} is not a valid command. This app's commands are "
                    f"{', '.join(COMMANDS)}; console commands have no slash (`help`)."
                )
                return True
            before = self.slack.bot_version
            self.me.command(command, self._escape_mentions(text), channel=self.channel)
            news.settle(self, before)
            return True
        if line.startswith("#"):
            return self._goto(line[1:])
        word, _, rest = line.partition(" ")
        action = {
            "help": lambda: self.say(HELP.format(commands="  ".join(f"{c} …" for c in COMMANDS))),
            "quit": lambda: False,
            "exit": lambda: False,
            "channels": lambda: looking.channels(self),
            "show": lambda: looking.show(self, rest),
            "click": lambda: self._click(rest),
            "react": lambda: self._react(rest),
            "say": lambda: self._say(rest),
            "home": self._home,
            "files": lambda: looking.files(self),
            "file": lambda: looking.file(self, rest),
            "people": lambda: looking.people(self, rest),
            "as": lambda: self._as(rest),
            "wait": lambda: self._wait(rest),
            "thread": lambda: looking.thread(self, rest),
            "ingest": lambda: self._ingest(rest),
        }.get(word.lower())
        if action is None:
            self.say(f"I don't know `{word}`. Type `help`, or a slash command like `/ops help`.")
            return True
        return action() is not False

    def _escape_mentions(self, text: str) -> str:
        """Slack sends `@bob` in a command as `<@U…|bob>` (the manifest's should_escape)."""
        names = {user.name: user.id for user in self.slack.people()}

        def swap(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"<@{names[name]}|{name}>" if name in names else match.group(0)

        return _MENTION.sub(swap, text)

    def _goto(self, name: str) -> bool:
        name = name.strip()
        try:
            found = self.slack.channel(f"#{name}")
        except KeyError:
            self.say(f"There is no #{name}. Type `channels` to see them.")
            return True
        if found.is_private and self.me.id not in found.members:
            self.say(f"#{name} is private and @{self.me.name} is not in it.")
            return True
        self.channel = name
        looking.show(self, "")
        return True

    def numbered(self, arg: str) -> Any:
        messages = self.numbers(self.channel)
        if not arg.strip().isdigit() or not 0 < int(arg) <= len(messages):
            self.say(f"Give a message number in #{self.channel} (1 to {len(messages)}; `show`).")
            return None
        message = messages[int(arg) - 1]
        if message.deleted:
            self.say(f"Message {arg.strip()} was deleted.")
            return None
        return message

    def _click(self, arg: str) -> None:
        if arg.strip().isdigit():
            button = self.board.get(int(arg))
        else:
            button = self.board.labelled(arg, self.me.id) if arg.strip() else None
        if button is None:
            self.say(
                f"Give a button's number as shown in brackets (1 to {len(self.board)}), or its "
                "label as shown, e.g. `click 2` or `click Check in`."
            )
            return
        if button.where in PERSONAL and button.person != self.me.id:
            owner = self.user_name(button.person)
            self.say(f"Button {button.number} was shown to @{owner}; type `as {owner}` first.")
            return
        if button.where == "view":
            views = self.slack.open_views(self.me.id)
            if not views or views[-1]["id"] != button.view_id:
                self.say(f"Button {button.number} was in a modal that is closed now.")
                return
        before = self.slack.bot_version
        try:
            if button.where == "home":
                self.me.click(button.label, in_home=True, value=button.value)
            elif button.where == "view":
                self.me.click(button.label, in_view=True, value=button.value)
            else:
                self.me.click(
                    button.label, channel=button.channel, message_ts=button.ts, value=button.value
                )
        except AssertionError:
            self.say(
                f"Button {button.number} ({button.label}) is no longer there: the message "
                "changed since. Type `show` to see it as it is now."
            )
            return
        news.settle(self, before)

    def _react(self, arg: str) -> None:
        parts = arg.split()
        if len(parts) != 2:
            self.say("Type `react <emoji> <message number>`, e.g. `react pushpin 3`.")
            return
        message = self.numbered(parts[1])
        if message is not None:
            before = self.slack.bot_version
            emoji = parts[0].strip(":")
            self.me.react(emoji, self.channel, message.ts)
            self.say(f"You reacted :{emoji}: to message {parts[1]}.")
            news.settle(self, before)

    def _say(self, text: str) -> None:
        if not text.strip():
            self.say("Type `say <text>`.")
            return
        before = self.slack.bot_version
        self.me.say(self.channel, self._escape_mentions(text))
        news.settle(self, before)

    def _home(self) -> None:
        before = self.slack.bot_version
        self.me.open_home()
        news.wait_until_done(self, before)
        view = self.slack.home_view(self.me.id)
        if view is None:
            self.say("App Home did not open: the bot published nothing.")
        else:
            self.say("── App Home ──")
            number = self.numbering(Surface("home", self.me.id, view_id=view["id"]))
            for line in self.render.blocks(view.get("blocks", []), number):
                self.say("   " + line)
        news.show_news(self)

    def _ingest(self, path: str) -> None:
        from opsbot.console.telemetry import ingest_into

        before = self.slack.bot_version
        for line in ingest_into(self.live.ctx, path.strip()):
            self.say(line)
        news.settle(self, before)

    def _wait(self, arg: str) -> None:
        try:
            seconds = float(arg or 2)
        except ValueError:
            self.say("Type `wait` or `wait <seconds>`, e.g. `wait 5`.")
            return
        before = self.slack.bot_version
        deadline = time.monotonic() + min(max(seconds, 0), 600)
        while (left := deadline - time.monotonic()) > 0:
            self.slack.wait_for_bot(self.slack.bot_version, left)
        news.settle(self, before)

    def _as(self, name: str) -> None:
        name = name.strip().lstrip("@")
        if not name:
            self.say("Type `as <name>`, e.g. `as bob`; `people` lists who exists.")
            return
        user = self.slack.ws.find_user(name)
        if user is None or user.is_bot:
            self.say(
                f"There is nobody called @{name}: `people` lists who exists, and "
                f"`people add {name}` adds them."
            )
            return
        self.me = self.slack.person(name)
        self.ephemerals_seen.setdefault(self.me.id, len(self.me.ephemerals()))
        self.say(f"You are now @{self.me.name}.")


__all__ = ["INTRO", "Ask", "Console"]
