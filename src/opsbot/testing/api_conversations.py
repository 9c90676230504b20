"""auth.test, users.* and conversations.*: identity, people and channels."""

from __future__ import annotations

from typing import Any

from .model import ApiError, Channel, Message
from .shapes import channel_json, message_json, user_json
from .state import Workspace, channel_name_error
from .webapi import Args, Ctx, method


@method("auth.test", tier=None)
def auth_test(ctx: Ctx, args: Args) -> dict[str, Any]:
    return {
        "url": "https://fake.slack.test/",
        "team": "opsbot-test",
        "user": "opsbot",
        "team_id": ctx.ws.team_id,
        "user_id": ctx.ws.bot_user_id,
        "bot_id": ctx.ws.bot_id,
        "app_id": ctx.ws.app_id,
        "is_enterprise_install": False,
    }


@method("bots.info", tier=3)
def bots_info(ctx: Ctx, args: Args) -> dict[str, Any]:
    return {
        "bot": {
            "id": ctx.ws.bot_id,
            "app_id": ctx.ws.app_id,
            "user_id": ctx.ws.bot_user_id,
            "name": "opsbot",
            "deleted": False,
        }
    }


@method("users.info", tier=4)
def users_info(ctx: Ctx, args: Args) -> dict[str, Any]:
    user = ctx.ws.user(args.need("user", "user_not_found"))
    return {"user": user_json(ctx.ws, user)}


@method("users.lookupByEmail", tier=3)
def users_lookup_by_email(ctx: Ctx, args: Args) -> dict[str, Any]:
    email = args.need("email", "users_not_found")
    user = next((u for u in ctx.ws.users.values() if u.email == email), None)
    if user is None:
        raise ApiError("users_not_found")
    return {"user": user_json(ctx.ws, user)}


def _page(items: list[Any], args: Args, default: int = 100) -> tuple[list[Any], dict[str, str]]:
    start = args.number("cursor", 0)
    limit = max(1, min(args.number("limit", default) or default, 1000))
    chunk = items[start : start + limit]
    cursor = str(start + limit) if start + limit < len(items) else ""
    return chunk, {"next_cursor": cursor}


@method("users.list", tier=2)
def users_list(ctx: Ctx, args: Args) -> dict[str, Any]:
    members, meta = _page([user_json(ctx.ws, u) for u in ctx.ws.users.values()], args)
    return {"members": members, "response_metadata": meta}


def _member_channel(ws: Workspace, args: Args, *, archived_ok: bool = False) -> Channel:
    """A channel the bot belongs to (``not_in_channel`` otherwise), not archived unless allowed."""
    channel = ws.channel(args.get("channel", missing="channel_not_found"))
    if channel.archived and not archived_ok:
        raise ApiError("is_archived")
    if ws.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def _visible_channel(ws: Workspace, args: Args) -> Channel:
    channel = ws.channel(args.get("channel", missing="channel_not_found"))
    if channel.is_private and ws.bot_user_id not in channel.members:
        raise ApiError("channel_not_found")
    return channel


@method("conversations.create", tier=2)
def create(ctx: Ctx, args: Args) -> dict[str, Any]:
    name = args.get("name")
    error = channel_name_error(name)
    if error:
        raise ApiError(error)
    assert name is not None
    if any(c.name == name and not c.is_im for c in ctx.ws.channels.values()):
        raise ApiError("name_taken")
    channel = ctx.ws.add_channel(name, private=args.flag("is_private"))
    return {"channel": channel_json(ctx.ws, channel)}


@method("conversations.invite", tier=3)
def invite(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args)
    refs = args.items("users")
    if not refs:
        raise ApiError("no_user")
    if len(refs) > 100:
        raise ApiError("too_many_users")
    ids = []
    for ref in refs:
        if ref == ctx.ws.bot_user_id:
            raise ApiError("cant_invite_self")
        user = ctx.ws.users.get(ref)
        if user is None:
            raise ApiError(
                "user_not_found", errors=[{"user": ref, "ok": False, "error": "user_not_found"}]
            )
        if user.id in channel.members:
            raise ApiError(
                "already_in_channel",
                errors=[{"user": ref, "ok": False, "error": "already_in_channel"}],
            )
        ids.append(user.id)
    channel.members.update(ids)
    return {"channel": channel_json(ctx.ws, channel)}


@method("conversations.kick", tier=3)
def kick(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args)
    user = ctx.ws.user(args.need("user", "user_not_found"))
    if user.id not in channel.members:
        raise ApiError("not_in_channel")
    channel.members.discard(user.id)
    return {}


@method("conversations.join", tier=3)
def join(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = ctx.ws.channel(args.get("channel", missing="channel_not_found"))
    if channel.is_private:
        if ctx.ws.bot_user_id not in channel.members:
            raise ApiError("channel_not_found")
        raise ApiError("method_not_supported_for_channel_type")
    if channel.archived:
        raise ApiError("is_archived")
    warning = "already_in_channel" if ctx.ws.bot_user_id in channel.members else None
    channel.members.add(ctx.ws.bot_user_id)
    body: dict[str, Any] = {"channel": channel_json(ctx.ws, channel)}
    if warning:
        body["warning"] = warning
    return body


@method("conversations.open", tier=3)
def open_im(ctx: Ctx, args: Args) -> dict[str, Any]:
    refs = args.items("users")
    if len(refs) != 1:
        raise ApiError("users_list_not_supplied" if not refs else "not_supported")
    return {"channel": {"id": ctx.ws.im(ctx.ws.user(refs[0]).id).id}}


def _set_text(ctx: Ctx, args: Args, field: str) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args)
    value = args.get(field) or ""
    if len(value) > 250:
        raise ApiError("too_long")
    setattr(channel, field, value)
    return {"channel": channel_json(ctx.ws, channel), field: value}


@method("conversations.setTopic", tier=2)
def set_topic(ctx: Ctx, args: Args) -> dict[str, Any]:
    return _set_text(ctx, args, "topic")


@method("conversations.setPurpose", tier=2)
def set_purpose(ctx: Ctx, args: Args) -> dict[str, Any]:
    return _set_text(ctx, args, "purpose")


@method("conversations.info", tier=3)
def info(ctx: Ctx, args: Args) -> dict[str, Any]:
    return {"channel": channel_json(ctx.ws, _visible_channel(ctx.ws, args))}


@method("conversations.members", tier=4)
def members(ctx: Ctx, args: Args) -> dict[str, Any]:
    ids, meta = _page(sorted(_visible_channel(ctx.ws, args).members), args)
    return {"members": ids, "response_metadata": meta}


@method("conversations.list", tier=2)
def conversations_list(ctx: Ctx, args: Args) -> dict[str, Any]:
    types = set(args.items("types") or ["public_channel"])
    found = []
    for channel in ctx.ws.channels.values():
        kind = (
            "im" if channel.is_im else "private_channel" if channel.is_private else "public_channel"
        )
        if kind not in types or (args.flag("exclude_archived") and channel.archived):
            continue
        if kind != "public_channel" and ctx.ws.bot_user_id not in channel.members:
            continue
        found.append(channel_json(ctx.ws, channel))
    chunk, meta = _page(found, args)
    return {"channels": chunk, "response_metadata": meta}


@method("conversations.archive", tier=2)
def archive(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args, archived_ok=True)
    if channel.archived:
        raise ApiError("already_archived")
    channel.archived = True
    return {}


@method("conversations.unarchive", tier=2)
def unarchive(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args, archived_ok=True)
    if not channel.archived:
        raise ApiError("not_archived")
    channel.archived = False
    return {}


def _window(messages: list[Message], args: Args) -> list[Message]:
    oldest, latest = args.get("oldest") or "0", args.get("latest")
    inclusive = args.flag("inclusive")

    def inside(m: Message) -> bool:
        ts = float(m.ts)
        low = ts >= float(oldest) if inclusive else ts > float(oldest)
        high = latest is None or (ts <= float(latest) if inclusive else ts < float(latest))
        return low and high

    return [m for m in messages if not m.deleted and inside(m)]


@method("conversations.history", tier=3)
def history(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args, archived_ok=True)
    newest_first = list(reversed(_window(ctx.ws.top_level(channel.id), args)))
    chunk, meta = _page(newest_first, args)
    metadata = args.flag("include_all_metadata")
    return {
        "messages": [message_json(ctx.ws, m, metadata=metadata) for m in chunk],
        "has_more": bool(meta["next_cursor"]),
        "pin_count": len(channel.pins),
        "response_metadata": meta,
    }


@method("conversations.replies", tier=3)
def replies(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = _member_channel(ctx.ws, args, archived_ok=True)
    ts = args.need("ts", "thread_not_found")
    parent = ctx.ws.find_message(channel.id, ts)
    if parent is None or parent.deleted:
        raise ApiError("thread_not_found")
    root = parent if not parent.is_reply else ctx.ws.message(channel.id, parent.thread_ts)
    thread = _window([root, *ctx.ws.thread(channel.id, root.ts)], args)
    chunk, meta = _page(thread, args, default=1000)
    metadata = args.flag("include_all_metadata")
    return {
        "messages": [message_json(ctx.ws, m, metadata=metadata) for m in chunk],
        "has_more": bool(meta["next_cursor"]),
        "response_metadata": meta,
    }
