"""A person in the workspace: types commands, clicks by label, fills modals, reacts, talks.

Everything a person does reaches the bot as Slack would send it: signed, over HTTP, with
trigger ids and response_urls issued by the stand-in.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import forms
from .api_chat import show_ack, thread_root
from .api_pins import react
from .api_views import apply_response_action
from .model import ApiError, Channel, Ephemeral, Response, User
from .shapes import message_json
from .state import ResponseTarget

if TYPE_CHECKING:
    from .fake import FakeSlack


class Person:
    """Acts as ``user`` would in the Slack client; see FakeSlack.person()."""

    def __init__(self, slack: FakeSlack, user: User) -> None:
        self.slack = slack
        self.ws = slack.ws
        self.id = user.id
        self.name = user.name

    def __repr__(self) -> str:
        return f"Person({self.name!r}, id={self.id!r})"

    # helpers ---------------------------------------------------------------------------
    def _common(self) -> dict[str, Any]:
        ws = self.ws
        return {
            "token": "verification-token",
            "api_app_id": ws.app_id,
            "team": {"id": ws.team_id, "domain": "opsbot-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "user": {
                "id": self.id,
                "username": self.name,
                "name": self.name,
                "team_id": ws.team_id,
            },
        }

    def _enter(self, ref: str | None) -> Channel:
        """The channel the person is looking at; public channels are joined on the way in."""
        with self.ws.lock:
            channel = self.ws.im(self.id) if ref is None else self.ws.find_channel(ref)
            if channel is None:
                raise AssertionError(f"no channel {ref!r}; add it with slack.add_channel()")
            if self.id not in channel.members:
                if channel.is_private or channel.is_im:
                    raise AssertionError(f"{self.name} is not a member of {channel.name}")
                channel.members.add(self.id)
            return channel

    def _resolve(self, ref: str) -> str:
        user = self.ws.find_user(ref)
        if user is not None:
            return user.id
        channel = self.ws.find_channel(ref) if ref.startswith(("#", "C", "G", "D")) else None
        return channel.id if channel else ref

    # commands --------------------------------------------------------------------------
    def command(self, command: str, text: str = "", *, channel: str | None = None) -> Response:
        """Type ``/command text`` in ``channel`` (default: the DM with the bot)."""
        where = self._enter(channel)
        ws = self.ws
        fields = {
            "token": "verification-token",
            "team_id": ws.team_id,
            "team_domain": "opsbot-test",
            "channel_id": where.id,
            "channel_name": "directmessage" if where.is_im else where.name,
            "user_id": self.id,
            "user_name": self.name,
            "command": command if command.startswith("/") else f"/{command}",
            "text": text,
            "api_app_id": ws.app_id,
            "is_enterprise_install": "false",
            "response_url": self.slack.issue_response_url(ResponseTarget(where.id, self.id)),
            "trigger_id": ws.issue_trigger(self.id),
        }
        response = self.slack.link.command(fields)
        with self.ws.lock:
            show_ack(self.ws, where, self.id, response)
        return response

    # clicks ----------------------------------------------------------------------------
    def _surfaces(
        self, channel: str | None, message_ts: str | None, in_view: bool, in_home: bool
    ) -> list[tuple[str, Any]]:
        """Where to look for a label, best first: (kind, message/ephemeral/view)."""
        ws = self.ws
        top, home = ws.top_view(self.id), ws.views.get(ws.homes.get(self.id, ""))
        if in_view:
            return [("view", top)] if top else []
        if in_home:
            return [("view", home)] if home else []
        channels = [self._enter(channel)] if channel else list(ws.channels.values())
        posts: list[tuple[str, Any]] = []
        for ch in channels:
            posts += [
                ("message", m)
                for m in ws.messages[ch.id]
                if not m.deleted and (message_ts is None or m.ts == message_ts)
            ]
            posts += [
                ("ephemeral", e)
                for e in ws.ephemerals
                if e.user == self.id
                and e.channel == ch.id
                and (message_ts is None or e.ts == message_ts)
            ]
        posts.sort(key=lambda item: float(item[1].ts), reverse=True)
        if channel or message_ts:
            return posts
        return ([("view", top)] if top else []) + posts + ([("view", home)] if home else [])

    def click(
        self,
        label: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        in_view: bool = False,
        in_home: bool = False,
        value: str | None = None,
    ) -> Response:
        """Click the button (or pick the overflow/select option) showing ``label``.

        ``value`` narrows the search to elements with that value when labels repeat.
        """
        payload = self._find(label, channel, message_ts, in_view, in_home, value)
        return self.slack.link.interaction(payload)

    def _find(
        self,
        label: str,
        channel: str | None,
        message_ts: str | None,
        in_view: bool,
        in_home: bool,
        value: str | None,
    ) -> dict[str, Any]:
        with self.ws.lock:
            seen: list[str] = []
            for kind, surface in self._surfaces(channel, message_ts, in_view, in_home):
                blocks = surface["blocks"] if kind == "view" else surface.blocks
                for target in forms.clickables(blocks):
                    seen.append(target.label)
                    picked = target.option or target.element
                    if target.label == label and value in (None, picked.get("value")):
                        return self._action_payload(kind, surface, target)
        where = "the modal" if in_view else "App Home" if in_home else channel or "Slack"
        raise AssertionError(f"no {label!r} to click in {where}; labels: {sorted(set(seen))}")

    def _action_payload(self, kind: str, surface: Any, target: forms.Clickable) -> dict[str, Any]:
        ws = self.ws
        payload = {
            "type": "block_actions",
            **self._common(),
            "trigger_id": ws.issue_trigger(self.id),
            "actions": [target.action()],
            "state": {"values": {}},
        }
        if kind == "view":
            view = copy.deepcopy(surface)
            view["state"] = {"values": forms.state_values(view, None, self._resolve, strict=False)}
            payload |= {"container": {"type": "view", "view_id": view["id"]}, "view": view}
            return payload
        channel = ws.channels[surface.channel]
        ephemeral = kind == "ephemeral"
        message = (
            message_json(ws, surface)
            if not ephemeral
            else {
                "type": "message",
                "text": surface.text,
                "blocks": surface.blocks,
                "ts": surface.ts,
            }
        )
        target_url = ResponseTarget(
            channel.id, self.id, message_ts=surface.ts, ephemeral=surface if ephemeral else None
        )
        payload |= {
            "container": {
                "type": "message",
                "message_ts": surface.ts,
                "channel_id": channel.id,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel.id, "name": channel.name},
            "message": message,
            "response_url": self.slack.issue_response_url(target_url),
        }
        return payload

    # modals ----------------------------------------------------------------------------
    def submit(self, values: dict[str, Any] | None = None) -> Response:
        """Fill the top modal's inputs (by label or block_id) and press its submit button."""
        with self.ws.lock:
            top = self.ws.top_view(self.id)
            if top is None:
                raise AssertionError(f"{self.name} has no modal open to submit")
            view = copy.deepcopy(top)
            view["state"] = {"values": forms.state_values(view, values, self._resolve)}
            payload = {
                "type": "view_submission",
                **self._common(),
                "trigger_id": self.ws.issue_trigger(self.id),
                "view": view,
                "response_urls": [],
            }
        response = self.slack.link.interaction(payload)
        if response.status == 200:
            body = response.json if isinstance(response.json, dict) else {}
            with self.ws.lock:
                apply_response_action(self.ws, self.id, top["id"], body)
        return response

    def close_view(self) -> Response | None:
        """Press the modal's close button; the bot hears of it only with ``notify_on_close``."""
        with self.ws.lock:
            stack = self.ws.stacks.get(self.id) or []
            if not stack:
                raise AssertionError(f"{self.name} has no modal open to close")
            view = copy.deepcopy(self.ws.views[stack.pop()])
        if not view.get("notify_on_close"):
            return None
        payload = {"type": "view_closed", **self._common(), "view": view, "is_cleared": False}
        return self.slack.link.interaction(payload)

    # messages, reactions, home ---------------------------------------------------------
    def react(self, name: str, channel: str, ts: str) -> Response:
        """Add reaction ``name`` to a message, and tell the bot (reaction_added)."""
        with self.ws.lock:
            where = self._enter(channel)
            try:
                message = self.ws.message(where.id, ts)
                react(message, name, self.id)
            except ApiError as refusal:
                raise AssertionError(f"cannot react: {refusal.error}") from None
            event = {
                "type": "reaction_added",
                "user": self.id,
                "reaction": name.strip(":"),
                "item_user": message.user or self.ws.bot_user_id,
                "item": {"type": "message", "channel": where.id, "ts": ts},
                "event_ts": self.ws.ts.next(),
            }
        return self.slack.send_event(event)

    def say(self, channel: str, text: str, thread_ts: str | None = None) -> str:
        """Post a message as this person; the bot hears it if subscribed (or mentioned)."""
        with self.ws.lock:
            where = self._enter(channel)
            try:
                root = thread_root(self.ws, where, thread_ts)
            except ApiError:
                raise AssertionError(f"no message {thread_ts} to reply to") from None
            message = self.ws.post(where, text=text, user=self.id, thread_ts=root)
        event: dict[str, Any] = {
            "user": self.id,
            "text": text,
            "ts": message.ts,
            "channel": where.id,
            "event_ts": message.ts,
            "team": self.ws.team_id,
        }
        if root:
            event["thread_ts"] = root
        kind = "im" if where.is_im else "group" if where.is_private else "channel"
        if self.slack.deliver_message_events:
            self.slack.send_event({"type": "message", "channel_type": kind, **event})
        if f"<@{self.ws.bot_user_id}>" in text and self.slack.bot_url:
            self.slack.send_event({"type": "app_mention", **event})
        return message.ts

    def open_home(self) -> Response:
        """Open the bot's App Home tab (app_home_opened, tab ``home``)."""
        with self.ws.lock:
            event: dict[str, Any] = {
                "type": "app_home_opened",
                "user": self.id,
                "channel": self.ws.im(self.id).id,
                "tab": "home",
                "event_ts": self.ws.ts.next(),
            }
            home = self.ws.views.get(self.ws.homes.get(self.id, ""))
            if home is not None:
                event["view"] = copy.deepcopy(home)
        return self.slack.send_event(event)

    def ephemerals(self, channel: str | None = None) -> list[Ephemeral]:
        """What only this person saw (see FakeSlack.ephemerals)."""
        return self.slack.ephemerals(self.id, channel)
