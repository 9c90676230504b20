"""FakeSlack: the stateful Slack stand-in that tests, benchmarks and ``opsbot console`` drive."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import saved
from .clock import Real, real_monotonic
from .model import Call, Channel, Ephemeral, Fault, File, Message, Response, User
from .outbound import BotLink, Delivery, post
from .person import Person
from .server import ApiServer
from .signing import sign
from .socket_mode import SocketModeServer
from .state import ResponseTarget, Workspace
from .traffic import Traffic
from .webapi import Ctx

T = TypeVar("T")


class FakeSlack:
    """A Slack workspace on loopback: Web API server, state, faults, and people who act."""

    def __init__(
        self,
        signing_secret: str = "s3cret",
        bot_token: str = "xoxb-test",
        team_id: str = "T0OPSBOT",
        *,
        bot_user_id: str = "U0OPSBOT00",
        bot_id: str = "B0OPSBOT00",
        app_id: str = "A0OPSBOT00",
    ) -> None:
        self.signing_secret = signing_secret
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.ws = Workspace(team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, app_id=app_id)
        self.traffic = Traffic()
        self.tokens = {bot_token}
        self.link = BotLink(signing_secret)
        self.deliver_message_events = False
        self._ctx = Ctx(self.ws, base_url="", open_socket=lambda: self.socket.issue_url())
        self._server: ApiServer | None = None
        self._socket: SocketModeServer | None = None
        self._people: dict[str, Person] = {}

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        """Serve the Web API on 127.0.0.1 (a free port) from a daemon thread."""
        if self._server is None:
            self._server = ApiServer(self._ctx, self.traffic, self.tokens)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call slack.start()")
        return self._server.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL, for ``WebClient(base_url=...)``."""
        return f"{self.base_url}api/"

    @property
    def bot_url(self) -> str | None:
        """Where person actions and events are POSTed (the bot's /slack/events)."""
        return self.link.url

    @bot_url.setter
    def bot_url(self, url: str | None) -> None:
        self.link.url = url

    @property
    def socket(self) -> SocketModeServer:
        """The Socket Mode endpoint (started on first use): connections, envelopes, acks."""
        with self.ws.lock:
            if self._socket is None:
                self._socket = SocketModeServer(self.ws.app_id)
            return self._socket

    def socket_mode(self, enabled: bool = True) -> SocketModeServer:
        """Send people's actions and events over Socket Mode while a client is connected.

        HTTP (``bot_url``) stays the default, and is used whenever no client is connected.
        """
        self.link.socket = self.socket if enabled else None
        return self.socket

    @property
    def trigger_ttl(self) -> float:
        """Seconds a trigger_id stays usable (Slack: 3)."""
        return self._ctx.trigger_ttl

    @trigger_ttl.setter
    def trigger_ttl(self, seconds: float) -> None:
        self._ctx.trigger_ttl = seconds

    @property
    def bot_timeout(self) -> float:
        """Seconds the stand-in waits for the bot's HTTP answer."""
        return self.link.timeout

    @bot_timeout.setter
    def bot_timeout(self, seconds: float) -> None:
        self.link.timeout = seconds

    # workspace -------------------------------------------------------------------------
    def add_user(
        self, name: str, *, id: str | None = None, real_name: str | None = None, tz: str = "UTC"
    ) -> str:
        return self.ws.add_user(name, id=id, real_name=real_name, tz=tz).id

    def user_id(self, name: str) -> str:
        return self._found(self.ws.find_user(name), f"no user {name!r}").id

    def add_channel(
        self,
        name: str,
        *,
        members: tuple[str, ...] | list[str] = (),
        private: bool = False,
        bot_member: bool = True,
    ) -> str:
        with self.ws.lock:
            if self.ws.find_channel(f"#{name}") is not None:
                raise ValueError(f"channel #{name} exists already")
            return self.ws.add_channel(
                name, members=members, private=private, bot_member=bot_member
            ).id

    def channel_id(self, name: str) -> str:
        return self.channel(name).id

    def channel(self, name_or_id: str) -> Channel:
        """A snapshot of a channel (by id, name or ``#name``; a user name gives their DM)."""
        with self.ws.lock:
            found = self.ws.find_channel(name_or_id)
            return copy.deepcopy(self._found(found, f"no channel {name_or_id!r}"))

    def channels(self) -> list[Channel]:
        with self.ws.lock:
            return [copy.deepcopy(c) for c in self.ws.channels.values() if not c.is_im]

    def messages(
        self, channel: str, *, include_deleted: bool = True, with_replies: bool = False
    ) -> list[Message]:
        """Top-level messages of a channel in post order (broadcast replies included); with
        ``with_replies``, thread replies too, all in post order."""
        with self.ws.lock:
            cid = self.channel(channel).id
            found = self.ws.messages.get(cid, []) if with_replies else self.ws.top_level(cid)
            return [copy.deepcopy(m) for m in found if include_deleted or not m.deleted]

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        """The replies in a thread, oldest first, without the parent message."""
        with self.ws.lock:
            return copy.deepcopy(self.ws.thread(self.channel(channel).id, thread_ts))

    def ephemerals(self, user: str, channel: str | None = None) -> list[Ephemeral]:
        """Messages only ``user`` saw: postEphemeral, ephemeral response_url posts, ack bodies."""
        with self.ws.lock:
            uid = self.user_id(user)
            cid = self.channel(channel).id if channel else None
            return [
                copy.deepcopy(e)
                for e in self.ws.ephemerals
                if e.user == uid and cid in (None, e.channel)
            ]

    def files(self, channel: str | None = None) -> list[File]:
        with self.ws.lock:
            cid = self.channel(channel).id if channel else None
            return [copy.deepcopy(f) for f in self.ws.files.values() if cid in (None, f.channel)]

    def home_view(self, user: str) -> dict[str, Any] | None:
        """The view last published to ``user``'s App Home, or None."""
        with self.ws.lock:
            view = self.ws.views.get(self.ws.homes.get(self.user_id(user), ""))
            return copy.deepcopy(view)

    def open_views(self, user: str) -> list[dict[str, Any]]:
        """``user``'s modal stack, root first."""
        with self.ws.lock:
            stack = self.ws.stacks.get(self.user_id(user)) or []
            return [copy.deepcopy(self.ws.views[v]) for v in stack]

    def calls(self, method: str | None = None) -> list[Call]:
        """Every Web API request so far (or those of one method), oldest first."""
        with self.ws.lock:
            return [copy.deepcopy(c) for c in self.ws.calls if method in (None, c.method)]

    def deliveries(self, kind: str | None = None) -> list[Delivery]:
        """Every request sent to the bot (command, block_actions, view_submission, event…)."""
        return [d for d in list(self.link.deliveries) if kind in (None, d.kind)]

    def issue_trigger(self, user: str) -> str:
        """A fresh trigger_id for ``user``, as if they had just acted."""
        return self.ws.issue_trigger(self.user_id(user))

    def issue_response_url(self, target: ResponseTarget) -> str:
        return self.ws.issue_response_url(self.base_url, target)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, message: str = "") -> T:
        """Poll ``predicate`` every 20 ms until it is truthy; AssertionError after ``timeout``."""
        deadline = real_monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if real_monotonic() >= deadline:
                raise AssertionError(message or f"condition not met within {timeout} s")
            Real.sleep(0.02)

    @property
    def bot_version(self) -> int:
        """Grows each time the bot does something a person may see (a Web API call, a post to a
        response_url, a non-empty ack, a view submission's answer). Read it before acting."""
        with self.ws.lock:
            return self.ws.bot_version

    def wait_for_bot(self, after: int, timeout: float) -> int:
        """Block until ``bot_version`` is past ``after`` (at once if the bot already acted since
        then) or ``timeout`` seconds pass; returns ``bot_version`` as it is then."""
        deadline = real_monotonic() + timeout
        with self.ws.answered:
            while self.ws.bot_version <= after:
                left = deadline - real_monotonic()
                if left <= 0:
                    break
                self.ws.answered.wait(left)
            return self.ws.bot_version

    @staticmethod
    def _found(value: T | None, problem: str) -> T:
        if value is None:
            raise KeyError(problem)
        return value

    # faults and limits -----------------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        error: str | None = "internal_error",
        status: int = 200,
        retry_after: int | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        channel: str | None = None,
        delay_after_effect: bool | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*": any) fail (None: until cleared).

        status 429 answers ``ratelimited`` with an integer Retry-After; other statuses or an
        ``error`` answer that error. ``delay`` sleeps first, or, with ``delay_after_effect``
        (the default for a pure delay: status 200 and no error), after the call took effect.
        """
        after = (status == 200 and not error) if delay_after_effect is None else delay_after_effect
        self.traffic.add_fault(
            Fault(method, error, status, retry_after, times, delay, channel, after)
        )

    def hold(self, method: str, *, times: int | None = 1) -> threading.Event:
        """Let the next ``times`` calls of ``method`` take effect, then keep each caller waiting
        for its answer until the returned event is set (or 30 s pass)."""
        gate = threading.Event()
        self.traffic.add_fault(Fault(method, None, 200, None, times, 0.0, None, True, gate))
        return gate

    def clear_faults(self) -> None:
        self.traffic.clear_faults()

    def pace(self, enabled: bool = True, burst: int = 1) -> None:
        """Limit chat.postMessage to one message per second per channel (429, Retry-After 1)."""
        self.traffic.pace_enabled, self.traffic.burst = enabled, burst

    def rate_limits(
        self,
        enabled: bool = True,
        *,
        per_minute: dict[str, int] | None = None,
        window: float = 60.0,
    ) -> None:
        """Enforce Slack's per-method tiers (1/20/50/100 a minute) or ``per_minute`` overrides."""
        self.traffic.tiers_enabled = enabled
        self.traffic.per_minute = dict(per_minute or {})
        self.traffic.window = window

    # raw requests to the bot -----------------------------------------------------------
    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """Slack's v0 signature headers for ``body`` (now, unless ``timestamp``)."""
        return sign(self.signing_secret, body, timestamp)

    def post_to_bot(
        self, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """POST exactly these bytes and headers to the bot (no signing added)."""
        response = post(self.bot_url, body, headers, self.link.timeout)
        return response.status, response.headers, response.body_text.encode()

    def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """Deliver ``event`` in an event_callback envelope, signed; retries keep ``event_id``."""
        envelope = {
            "token": "verification-token",
            "team_id": self.team_id,
            "api_app_id": self.ws.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.link.event(
            json.loads(json.dumps(envelope)), retry_num=retry_num, retry_reason=retry_reason
        )

    def save(self, path: str | Path) -> None:
        """Keep the workspace (users, channels, messages, threads, files) in a JSON file."""
        saved.save(self.ws, Path(path))

    def load(self, path: str | Path) -> bool:
        """Take the workspace from a file written by :meth:`save`; False when it does not exist.

        Load before the bot starts: what it remembers (channel ids, message ts) is found again.
        """
        return saved.load(self.ws, Path(path))

    def people(self) -> list[User]:
        """Everyone in the workspace but the bot, by name."""
        with self.ws.lock:
            found = [u for u in self.ws.users.values() if not u.is_bot]
            return [copy.deepcopy(u) for u in sorted(found, key=lambda u: u.name)]

    def person(self, name: str) -> Person:
        """The person called ``name`` (created if new), ready to act."""
        user = self.ws.add_user(name)
        if user.id not in self._people:
            self._people[user.id] = Person(self, user)
        return self._people[user.id]
