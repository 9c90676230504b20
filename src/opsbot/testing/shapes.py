"""Records rendered in the JSON shapes Slack's Web API returns (what slack_sdk and Bolt read)."""

from __future__ import annotations

from typing import Any

from .model import Channel, File, Message, User
from .state import Workspace

PERMALINK_BASE = "https://fake.slack.test"


def user_json(ws: Workspace, user: User) -> dict[str, Any]:
    """A users.info ``user`` object."""
    return {
        "id": user.id,
        "team_id": ws.team_id,
        "name": user.name,
        "real_name": user.real_name,
        "deleted": False,
        "tz": user.tz,
        "tz_offset": 0,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "profile": {
            "real_name": user.real_name,
            "display_name": user.name,
            "email": user.email,
            "team": ws.team_id,
        },
    }


def channel_json(ws: Workspace, channel: Channel) -> dict[str, Any]:
    """A conversations.info ``channel`` object, seen by the bot."""
    if channel.is_im:
        return {
            "id": channel.id,
            "is_im": True,
            "user": channel.im_user,
            "created": channel.created,
            "is_user_deleted": False,
        }
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "is_archived": channel.archived,
        "is_general": False,
        "is_member": ws.bot_user_id in channel.members,
        "created": channel.created,
        "creator": channel.creator,
        "context_team_id": ws.team_id,
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
        "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
        "num_members": len(channel.members),
    }


def file_json(ws: Workspace, file: File) -> dict[str, Any]:
    """A files.info ``file`` object (without the content, as Slack's)."""
    channels = [file.channel] if file.channel else []
    return {
        "id": file.id,
        "created": file.created,
        "timestamp": file.created,
        "name": file.filename,
        "title": file.title,
        "mimetype": "text/plain",
        "filetype": file.filename.rsplit(".", 1)[-1] if "." in file.filename else "text",
        "size": len(file.content),
        "user": ws.bot_user_id,
        "channels": channels,
        "groups": [],
        "ims": [],
        "url_private": f"{PERMALINK_BASE}/files/{file.id}/{file.filename}",
        "permalink": f"{PERMALINK_BASE}/files/{file.id}",
        "initial_comment": {"comment": file.initial_comment} if file.initial_comment else None,
        "shares": {"public": {c: [{"ts": file.ts}] for c in channels}},
    }


def message_json(ws: Workspace, message: Message, *, metadata: bool = True) -> dict[str, Any]:
    """A message as conversations.history returns it (bot messages carry user and bot_id)."""
    body: dict[str, Any] = {
        "type": "message",
        "user": message.user or ws.bot_user_id,
        "text": message.text,
        "ts": message.ts,
        "team": ws.team_id,
    }
    if message.bot_id:
        body["bot_id"] = message.bot_id
        body["app_id"] = ws.app_id
    if message.blocks:
        body["blocks"] = message.blocks
    if message.thread_ts:
        body["thread_ts"] = message.thread_ts
    if message.reply_broadcast:
        body["subtype"] = "thread_broadcast"
    if message.edits:
        body["edited"] = {"user": body["user"], "ts": message.ts}
    if message.files:
        body["files"] = [file_json(ws, f) for f in message.files]
        body["upload"] = False
    if message.reactions:
        body["reactions"] = [
            {"name": n, "users": list(u), "count": len(u)} for n, u in message.reactions.items()
        ]
    if metadata and message.metadata is not None:
        body["metadata"] = message.metadata
    if not message.is_reply:
        replies = ws.thread(message.channel, message.ts)
        if replies:
            body["thread_ts"] = message.ts
            body["reply_count"] = len(replies)
            body["reply_users"] = sorted({r.user or ws.bot_user_id for r in replies})
            body["latest_reply"] = replies[-1].ts
    return body


def permalink(channel_id: str, ts: str) -> str:
    """A message's permalink, shaped like Slack's (``/archives/C…/p<ts without dot>``)."""
    return f"{PERMALINK_BASE}/archives/{channel_id}/p{ts.replace('.', '')}"
