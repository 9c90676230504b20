"""The console loop: a person types, the bot answers through the stand-in, the screen shows it."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any, TextIO

from opsbot.console.forms import fill_modal
from opsbot.console.render import Button, Renderer

INTRO = """opsbot console: the whole bot (same handlers, database, scheduler, delivery) against a
local Slack stand-in. You are @{you} in #{channel}. Type `help` for console commands, or a
slash command such as `/ops help`, `/incident declare sev2 Refunds agent approves too much`."""

HELP = """Console commands
  /incident …  /ritual …  /ops …   a slash command, typed in the current channel
  #name                  go to channel #name            channels     list channels
  show [N]               the last N messages here (10)  thread <n>   replies to message n
  click <n>              click button n from the last thing shown (a message, modal or Home)
  react <emoji> <n>      react to message n here (📌 is `react pushpin 2`)
  say <text>             post a message here as yourself
  home                   open your App Home tab         files        files uploaded here
  ingest <file.jsonl>    feed telemetry to the bot (make some with scripts/synthetic_telemetry.py)
  file <n>               print file n                   as <name>    act as someone else
  wait [seconds]         let the bot work and show what changed (default 2)
  help                   this text                      quit         leave"""

Ask = Callable[[str], "str | None"]
_MENTION = re.compile(r"(?<![<\w])@([a-z0-9][a-z0-9._-]*)")


class Console:
    """One person at a terminal, driving opsbot through the stand-in."""

    def __init__(self, slack: Any, live: Any, out: TextIO, ask: Ask) -> None:
        self.slack, self.live, self.out, self.ask = slack, live, out, ask
        self.me = slack.person(os.environ.get("OPSBOT_CONSOLE_USER", "you"))
        self.channel = "general"
        self.buttons: list[Button] = []
        self.numbered: list[Any] = []  # messages of the last `show`, 1-based
        self.seen: dict[tuple[str, str], int] = {}
        self.ephemerals_seen = 0
        self.views_seen: set[str] = set()
        self.render = Renderer(self._user_name, self._channel_name)

    # ---- output ----------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def _user_name(self, user_id: str) -> str:
        user = self.slack.ws.users.get(user_id)
        return str(user.name) if user else user_id

    def _channel_name(self, channel_id: str) -> str:
        try:
            return str(self.slack.channel(channel_id).name)
        except KeyError:
            return channel_id

    def _author(self, message: Any) -> str:
        return "opsbot" if message.user is None else self._user_name(message.user)

    def _message_lines(self, message: Any, number: int | None = None) -> list[str]:
        head = f"{number:>3}. " if number is not None else "  • "
        when = time.strftime("%H:%M", time.localtime(float(message.ts)))
        edited = " (edited)" if message.edits else ""
        lines = [f"{head}{self._author(message)} {when}{edited}"]
        body = (
            self.render.blocks(
                message.blocks or [],
                self.buttons,
                where="message",
                channel=message.channel,
                ts=message.ts,
            )
            if message.blocks
            else self.render.text(message.text or "").splitlines()
        )
        lines.extend("      " + line for line in body)
        for file in message.files or []:
            title = file.get("title") if isinstance(file, dict) else getattr(file, "title", "")
            lines.append(f"      [file: {title or 'untitled'}] (type `files` to list them)")
        if message.reactions:
            lines.append(
                "      " + " ".join(f":{k}: {len(v)}" for k, v in message.reactions.items())
            )
        return lines

    # ---- what changed ------------------------------------------------------------------------
    def settle(self, seconds: float = 3.0, *, expect_change: bool = True) -> None:
        """Wait for the bot to answer (up to 5 s), then until it has been quiet a moment."""
        last = self._fingerprint()
        start = time.monotonic()
        if expect_change:
            while time.monotonic() - start < 5.0 and self._fingerprint() == last:
                time.sleep(0.05)
        deadline = time.monotonic() + seconds
        quiet_since = time.monotonic()
        last = self._fingerprint()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self._fingerprint()
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since > 0.6:
                break
        self.show_news()

    def _fingerprint(self) -> tuple[int, int, int]:
        count = sum(
            len(self.slack.messages(c.id)) + sum(m.edits for m in self.slack.messages(c.id))
            for c in self.slack.channels()
        )
        return count, len(self.me.ephemerals()), len(self.slack.open_views(self.me.id))

    def show_news(self) -> None:
        self.buttons = []
        for ephemeral in self.me.ephemerals()[self.ephemerals_seen :]:
            self.say(f"(only visible to you in #{self._channel_name(ephemeral.channel)})")
            body = (
                self.render.blocks(
                    ephemeral.blocks, self.buttons, where="message", channel=ephemeral.channel
                )
                if ephemeral.blocks
                else self.render.text(ephemeral.text).splitlines()
            )
            for line in body:
                self.say("   " + line)
        self.ephemerals_seen = len(self.me.ephemerals())
        for channel in self.slack.channels():
            if channel.is_im and self.me.id not in channel.members:
                continue
            fresh = []
            for message in self.slack.messages(channel.id):
                key = (channel.id, message.ts)
                if key not in self.seen or self.seen[key] != message.edits:
                    fresh.append(message)
                    self.seen[key] = message.edits
            if fresh:
                name = "your DMs" if channel.is_im else f"#{channel.name}"
                self.say(f"── {name} ──")
                for message in fresh:
                    for line in self._message_lines(message):
                        self.say(line)
        self._maybe_fill_modal()

    def _maybe_fill_modal(self) -> None:
        views = self.slack.open_views(self.me.id)
        if not views or views[-1]["id"] + views[-1].get("hash", "") in self.views_seen:
            return
        top = views[-1]
        self.views_seen.add(top["id"] + top.get("hash", ""))
        fill_modal(self, top)

    # ---- commands ------------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Act on one line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            self.me.command(command, self._escape_mentions(text), channel=self.channel)
            self.settle()
            return True
        if line.startswith("#"):
            return self._goto(line[1:])
        word, _, rest = line.partition(" ")
        action = {
            "help": lambda: self.say(HELP),
            "quit": lambda: False,
            "exit": lambda: False,
            "channels": self._channels,
            "show": lambda: self._show(rest),
            "click": lambda: self._click(rest),
            "react": lambda: self._react(rest),
            "say": lambda: self._say(rest),
            "home": self._home,
            "files": self._files,
            "file": lambda: self._file(rest),
            "as": lambda: self._as(rest),
            "wait": lambda: self.settle(float(rest or 2), expect_change=False),
            "thread": lambda: self._thread(rest),
            "ingest": lambda: self._ingest(rest),
        }.get(word.lower())
        if action is None:
            self.say(f"I don't know `{word}`. Type `help`, or a slash command like `/ops help`.")
            return True
        return action() is not False

    def _escape_mentions(self, text: str) -> str:
        """Slack sends `@bob` in a command as `<@U…|bob>` (the manifest's should_escape)."""
        names = {user.name: user.id for user in self.slack.ws.users.values()}

        def swap(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"<@{names[name]}|{name}>" if name in names else match.group(0)

        return _MENTION.sub(swap, text)

    def _goto(self, name: str) -> bool:
        try:
            self.slack.channel(name.strip())
        except KeyError:
            self.say(f"There is no #{name}. Type `channels` to see them.")
            return True
        self.channel = name.strip()
        self._show("")
        return True

    def _channels(self) -> None:
        for channel in self.slack.channels():
            if channel.is_im:
                continue
            marker = "*" if channel.name == self.channel else " "
            state = " (archived)" if channel.archived else ""
            self.say(
                f" {marker} #{channel.name}{state}  {len(self.slack.messages(channel.id))} messages"
                f"  topic: {self.render.text(channel.topic or '')}"
            )

    def _show(self, arg: str) -> None:
        count = int(arg) if arg.strip().isdigit() else 10
        messages = [m for m in self.slack.messages(self.channel) if not m.deleted]
        self.numbered = messages
        self.buttons = []
        self.say(f"── #{self.channel} ──")
        start = max(0, len(messages) - count)
        for index in range(start, len(messages)):
            for line in self._message_lines(messages[index], index + 1):
                self.say(line)
        if not messages:
            self.say("   (no messages yet)")

    def _thread(self, arg: str) -> None:
        message = self._numbered(arg)
        if message is not None:
            for reply in self.slack.replies(self.channel, message.ts)[1:]:
                for line in self._message_lines(reply):
                    self.say(line)

    def _numbered(self, arg: str) -> Any:
        if not arg.strip().isdigit() or not 0 < int(arg) <= len(self.numbered):
            self.say("Give a message number from the last `show`.")
            return None
        return self.numbered[int(arg) - 1]

    def _click(self, arg: str) -> None:
        if not arg.strip().isdigit() or not 0 < int(arg) <= len(self.buttons):
            self.say("Give a button number from what was shown last (for example `click 1`).")
            return
        button = self.buttons[int(arg) - 1]
        if button.where == "home":
            self.me.click(button.label, in_home=True, value=button.value)
        elif button.where == "view":
            self.me.click(button.label, in_view=True, value=button.value)
        else:
            self.me.click(
                button.label, channel=button.channel, message_ts=button.ts, value=button.value
            )
        self.settle()

    def _react(self, arg: str) -> None:
        parts = arg.split()
        if len(parts) != 2:
            self.say("Type `react <emoji> <message number>`, e.g. `react pushpin 3`.")
            return
        message = self._numbered(parts[1])
        if message is not None:
            self.me.react(parts[0].strip(":"), self.channel, message.ts)
            self.settle()

    def _say(self, text: str) -> None:
        self.me.say(self.channel, text)
        self.settle(1, expect_change=False)

    def _home(self) -> None:
        self.me.open_home()
        view = self.slack.wait_for(lambda: self.slack.home_view(self.me.id), timeout=5)
        self.buttons = []
        self.say("── App Home ──")
        for line in self.render.blocks(view.get("blocks", []), self.buttons, where="home"):
            self.say("   " + line)

    def _files(self) -> None:
        files = self.slack.files(self.channel)
        for number, file in enumerate(files, 1):
            self.say(f" {number}. {file.title or file.filename} ({len(file.content)} bytes)")
        if not files:
            self.say("   (no files here)")

    def _file(self, arg: str) -> None:
        files = self.slack.files(self.channel)
        if not arg.strip().isdigit() or not 0 < int(arg) <= len(files):
            self.say("Give a file number from `files`.")
            return
        content = files[int(arg) - 1].content
        try:
            self.say(content.decode())
        except UnicodeDecodeError:
            self.say(f"(binary file, {len(content)} bytes)")

    def _ingest(self, path: str) -> None:
        from opsbot.console.telemetry import ingest_into

        for line in ingest_into(self.live.ctx, path.strip()):
            self.say(line)
        self.settle(expect_change=False)

    def _as(self, name: str) -> None:
        if not name.strip():
            self.say("Type `as <name>`, e.g. `as bob`.")
            return
        self.me = self.slack.person(name.strip())
        self.ephemerals_seen = len(self.me.ephemerals())
        self.say(f"You are now @{self.me.name}.")


__all__ = ["INTRO", "Ask", "Console"]
