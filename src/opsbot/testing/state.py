"""The workspace the stand-in keeps: users, channels, messages, files, views, triggers.

One re-entrant lock guards everything; the HTTP handlers and the test's helpers both take it.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .clock import TsSource, real_monotonic
from .model import ApiError, Call, Channel, Ephemeral, File, Message, User


@dataclass
class Trigger:
    """A trigger_id handed to the bot with a person's action."""

    user: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseTarget:
    """Where posts to a response_url land: the channel, the person, the message acted on."""

    channel: str | None
    user: str
    message_ts: str | None = None
    ephemeral: Ephemeral | None = None
    uses: int = 0


@dataclass
class Upload:
    """A file id issued by files.getUploadURLExternal, waiting for its bytes and completion."""

    filename: str
    length: int
    content: bytes | None = None
    completed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Workspace:
    """All state of the fake workspace; mutate only with ``lock`` held."""

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, app_id: str) -> None:
        self.lock = threading.RLock()
        self.answered = threading.Condition(self.lock)
        self.bot_version = 0  # bumped by bot_acted(); see FakeSlack.wait_for_bot
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.ts = TsSource()
        self._ids = itertools.count(1)
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}
        self.files: dict[str, File] = {}
        self.uploads: dict[str, Upload] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.stacks: dict[str, list[str]] = {}
        self.homes: dict[str, str] = {}
        self.view_owner: dict[str, str] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseTarget] = {}
        self.calls: list[Call] = []
        self.users[bot_user_id] = User(bot_user_id, "opsbot", "opsbot", is_bot=True)

    # the bot's activity ---------------------------------------------------------------------
    def bot_acted(self) -> None:
        """Record that the bot did something a person may see: a Web API call, a post to a
        response_url, a non-empty ack or a view submission's answer; wakes anyone waiting."""
        with self.lock:
            self.bot_version += 1
            self.answered.notify_all()

    # ids -------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id (``C000000007``), unique across kinds."""
        return f"{prefix}{next(self._ids):09d}"

    def now(self) -> int:
        """Wall-clock seconds, as Slack stamps ``created`` fields."""
        return int(time.time())

    # users -----------------------------------------------------------------------------
    def add_user(
        self, name: str, *, id: str | None = None, real_name: str | None = None, tz: str = "UTC"
    ) -> User:
        with self.lock:
            existing = self.find_user(name)
            if existing is not None:
                return existing
            user = User(
                id or self.new_id("U"),
                name,
                real_name or name.title(),
                tz,
                email=f"{name}@example.test",
            )
            self.users[user.id] = user
            return user

    def find_user(self, ref: str) -> User | None:
        ref = ref.removeprefix("@")
        with self.lock:
            if ref in self.users:
                return self.users[ref]
            return next((u for u in self.users.values() if u.name == ref), None)

    def user(self, ref: str) -> User:
        """A user by id, name or ``@name``; ``user_not_found`` otherwise."""
        found = self.find_user(ref)
        if found is None:
            raise ApiError("user_not_found")
        return found

    # channels --------------------------------------------------------------------------
    def add_channel(
        self,
        name: str,
        *,
        members: tuple[str, ...] | list[str] = (),
        private: bool = False,
        bot_member: bool = True,
        creator: str | None = None,
    ) -> Channel:
        with self.lock:
            member_ids = {
                self.add_user(m).id if self.find_user(m) is None else self.user(m).id
                for m in members
            }
            if bot_member:
                member_ids.add(self.bot_user_id)
            channel = Channel(
                self.new_id("C"),
                name,
                members=member_ids,
                is_private=private,
                created=self.now(),
                creator=creator or self.bot_user_id,
            )
            self.channels[channel.id] = channel
            self.messages[channel.id] = []
            return channel

    def find_channel(self, ref: str) -> Channel | None:
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            name = ref.removeprefix("#")
            found = next(
                (c for c in self.channels.values() if c.name == name and not c.is_im), None
            )
            if found is None and not ref.startswith("#"):
                user = self.find_user(ref)
                if user is not None and user.id != self.bot_user_id:
                    return self.im(user.id)
            return found

    def channel(self, ref: str | None) -> Channel:
        """A conversation by id, name, ``#name``, or a user (their DM with the bot)."""
        found = self.find_channel(ref) if ref else None
        if found is None:
            raise ApiError("channel_not_found")
        return found

    def im(self, user_id: str) -> Channel:
        """The direct-message conversation between the bot and ``user_id``, made on first use."""
        with self.lock:
            for c in self.channels.values():
                if c.is_im and c.im_user == user_id:
                    return c
            channel = Channel(
                self.new_id("D"),
                user_id,
                members={user_id, self.bot_user_id},
                is_private=True,
                created=self.now(),
                is_im=True,
                im_user=user_id,
            )
            self.channels[channel.id] = channel
            self.messages[channel.id] = []
            return channel

    # messages --------------------------------------------------------------------------
    def find_message(self, channel_id: str, ts: str | None) -> Message | None:
        with self.lock:
            return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def message(self, channel_id: str, ts: str | None) -> Message:
        """A message that still exists; ``message_not_found`` otherwise."""
        found = self.find_message(channel_id, ts)
        if found is None or found.deleted:
            raise ApiError("message_not_found")
        return found

    def post(
        self,
        channel: Channel,
        *,
        text: str,
        user: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
        files: list[File] | None = None,
        reply_broadcast: bool = False,
    ) -> Message:
        """Store a message (the bot's when ``user`` is None) with a fresh, increasing ts."""
        with self.lock:
            message = Message(
                channel.id,
                self.ts.next(),
                user,
                None if user else self.bot_id,
                text,
                list(blocks or []),
                thread_ts,
                metadata,
                list(files or []),
                reply_broadcast=reply_broadcast,
            )
            self.messages[channel.id].append(message)
            return message

    def top_level(self, channel_id: str) -> list[Message]:
        """Messages shown in the channel itself: parents and broadcast replies, post order."""
        with self.lock:
            return [
                m for m in self.messages.get(channel_id, []) if not m.is_reply or m.reply_broadcast
            ]

    def thread(self, channel_id: str, thread_ts: str) -> list[Message]:
        """The replies of a thread, oldest first (the parent excluded)."""
        with self.lock:
            return [
                m
                for m in self.messages.get(channel_id, [])
                if m.is_reply and m.thread_ts == thread_ts
            ]

    # triggers and views ----------------------------------------------------------------
    def issue_trigger(self, user_id: str) -> str:
        with self.lock:
            trigger_id = f"{next(self._ids)}.{int(time.time())}.{len(self.triggers):032x}"
            self.triggers[trigger_id] = Trigger(user_id, real_monotonic())
            return trigger_id

    def issue_response_url(self, base: str, target: ResponseTarget) -> str:
        with self.lock:
            token = f"R{next(self._ids):09d}"
            self.response_urls[token] = target
            return f"{base}response/{token}"

    def top_view(self, user_id: str) -> dict[str, Any] | None:
        with self.lock:
            stack = self.stacks.get(user_id) or []
            return self.views[stack[-1]] if stack else None


CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")


def channel_name_error(name: str | None) -> str | None:
    """The error conversations.create gives for ``name`` (SLACK_FACTS §5), or None if valid."""
    if not name:
        return "invalid_name_required"
    if len(name) > 80:
        return "invalid_name_maxlength"
    if not CHANNEL_NAME.match(name):
        return "invalid_name_specials"
    if set(name) <= {"-", "_"}:
        return "invalid_name_punctuation"
    return None
