"""Console commands that only look: channels, messages, threads, files and people."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsbot.console.session import Console


def channels(console: Console) -> None:
    for channel in console.slack.channels():
        if channel.is_private and console.me.id not in channel.members:
            continue
        marker = "*" if channel.name == console.channel else " "
        state = " (archived)" if channel.archived else ""
        console.say(
            f" {marker} #{channel.name}{state}  {len(console.slack.messages(channel.id))} messages"
            f"  topic: {console.render.text(channel.topic or '')}"
        )


def show(console: Console, arg: str) -> None:
    count = int(arg) if arg.strip().isdigit() else 10
    messages = console.numbers(console.channel)
    console.say(f"── #{console.channel} ──")
    shown = [(n, m) for n, m in enumerate(messages, 1) if not m.deleted][-count:]
    for number, message in shown:
        for line in console.message_lines(message, number):
            console.say(line)
        console.seen[(message.channel, message.ts)] = message.edits
    if not shown:
        console.say("   (no messages yet)")


def thread(console: Console, arg: str) -> None:
    message = console.numbered(arg)
    if message is None:
        return
    replies = console.slack.replies(console.channel, message.ts)
    console.say(f"── thread of message {arg.strip()} in #{console.channel} ──")
    for reply in replies:
        for line in console.message_lines(reply):
            console.say(line)
        console.seen[(reply.channel, reply.ts)] = reply.edits
    if not replies:
        console.say("   (no replies yet)")


def files(console: Console) -> None:
    files = console.slack.files(console.channel)
    for number, file in enumerate(files, 1):
        console.say(f" {number}. {file.title or file.filename} ({len(file.content)} bytes)")
    if not files:
        console.say("   (no files here)")


def file(console: Console, arg: str) -> None:
    files = console.slack.files(console.channel)
    number, _, rest = arg.strip().partition(" ")
    word, _, path = rest.strip().partition(" ")
    if not number.isdigit() or not 0 < int(number) <= len(files) or word not in ("", "save"):
        console.say("Type `file <n>` to print file n of `files`, or `file <n> save PATH`.")
        return
    found = files[int(number) - 1]
    if word == "save":
        if not path.strip():
            console.say(
                f"Type `file {number} save PATH`, e.g. `file {number} save {found.filename}`."
            )
            return
        target = Path(path.strip()).expanduser()
        target.write_bytes(found.content)
        console.say(f"Saved {found.filename} ({len(found.content)} bytes) to {target}.")
        return
    try:
        console.say(found.content.decode())
    except UnicodeDecodeError:
        console.say(
            f"({found.filename} is not text: {len(found.content)} bytes; "
            f"`file {number} save {found.filename}` writes it to a file.)"
        )


def people(console: Console, arg: str) -> None:
    word, _, name = arg.strip().partition(" ")
    if word == "add":
        name = name.strip().lstrip("@")
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
            console.say("Type `people add <name>`: lowercase letters, digits, `.`, `_`, `-`.")
            return
        existed = console.slack.ws.find_user(name) is not None
        console.slack.person(name)
        console.say(f"@{name} is {'already' if existed else 'now'} in the workspace.")
        return
    if word:
        console.say("Type `people` to list everyone, or `people add <name>`.")
        return
    for user in console.slack.people():
        you = "  ← you" if user.id == console.me.id else ""
        console.say(f"  @{user.name}  {user.real_name}  ({user.id}){you}")
    console.say("Mention them in commands as @name; `as <name>` acts as them.")
