"""The workspace's records as tests see them: plain dataclasses, read from the stand-in's state."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    """A person (or the bot) in the workspace."""

    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    is_bot: bool = False
    email: str = ""


@dataclass
class Channel:
    """A conversation: public or private channel, or a direct message (``is_im``)."""

    id: str
    name: str
    topic: str = ""
    purpose: str = ""
    members: set[str] = field(default_factory=set)
    archived: bool = False
    is_private: bool = False
    pins: list[str] = field(default_factory=list)
    created: int = 0
    creator: str = ""
    is_im: bool = False
    im_user: str | None = None


@dataclass
class File:
    """A file uploaded through files.getUploadURLExternal and completed into a channel."""

    id: str
    channel: str | None
    filename: str
    title: str
    content: bytes
    initial_comment: str | None
    ts: str | None
    created: int = 0


@dataclass
class Message:
    """A message in a channel; ``user`` is None when the bot posted it (``bot_id`` is set)."""

    channel: str
    ts: str
    user: str | None
    bot_id: str | None
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    files: list[File] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edits: int = 0
    deleted: bool = False
    reply_broadcast: bool = False

    @property
    def is_reply(self) -> bool:
        """True for a thread reply (the parent itself has ``thread_ts == ts`` or None)."""
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class Ephemeral:
    """A message only one user saw: chat.postEphemeral, a response_url post, or a command's ack."""

    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ts: str = ""
    source: str = "chat.postEphemeral"
    edits: int = 0  # times a response_url replaced it (replace_original)


@dataclass
class Call:
    """One Web API request as the stand-in answered it."""

    method: str
    args: dict[str, Any]
    status: int
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the answer was ``{"ok": true}``."""
        return self.status == 200 and self.error is None


@dataclass
class Response:
    """What the bot answered to something sent to it (a command, a click, an event)."""

    status: int
    body_text: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body_text) if self.body_text else None
        except ValueError:
            return None


@dataclass
class Fault:
    """An injected failure for the next ``times`` matching calls (None: until cleared)."""

    method: str
    error: str | None
    status: int
    retry_after: int | None
    times: int | None
    delay: float
    channel: str | None
    delay_after_effect: bool
    gate: threading.Event | None = None  # answer only once this is set (see FakeSlack.hold)


class ApiError(Exception):
    """A Web API refusal: ``{"ok": false, "error": error}`` plus any extra fields."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: list[str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.body: dict[str, Any] = {"ok": False, "error": error, **extra}
        if messages:
            self.body["response_metadata"] = {"messages": messages}
