"""pins.* and reactions.*: marking messages."""

from __future__ import annotations

from typing import Any

from .model import ApiError, Channel, Message
from .shapes import message_json
from .webapi import Args, Ctx, method


def _target(ctx: Ctx, args: Args, *, ts_param: str = "timestamp") -> tuple[Channel, Message]:
    channel = ctx.ws.channel(args.get("channel", missing="channel_not_found"))
    if channel.is_private and ctx.ws.bot_user_id not in channel.members:
        raise ApiError("channel_not_found")
    return channel, ctx.ws.message(channel.id, args.get(ts_param, missing="no_item_specified"))


@method("pins.add", tier=2)
def pins_add(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = ctx.ws.channel(args.get("channel", missing="channel_not_found"))
    if ctx.ws.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    if channel.archived:
        raise ApiError("is_archived")
    _, message = _target(ctx, args)
    if message.ts in channel.pins:
        raise ApiError("already_pinned")
    if len(channel.pins) >= 100:
        raise ApiError("too_many_pins")
    channel.pins.append(message.ts)
    return {}


@method("pins.remove", tier=2)
def pins_remove(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel, message = _target(ctx, args)
    if message.ts not in channel.pins:
        raise ApiError("no_pin")
    channel.pins.remove(message.ts)
    return {}


@method("pins.list", tier=2)
def pins_list(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = ctx.ws.channel(args.get("channel", missing="channel_not_found"))
    items = []
    for ts in channel.pins:
        message = ctx.ws.message(channel.id, ts)
        items.append(
            {
                "type": "message",
                "channel": channel.id,
                "created_by": ctx.ws.bot_user_id,
                "message": message_json(ctx.ws, message),
            }
        )
    return {"items": items}


def react(message: Message, name: str, user_id: str) -> None:
    """Add ``user_id``'s reaction ``name``; ``already_reacted`` if it is there."""
    name = name.strip(":")
    if not name:
        raise ApiError("invalid_name")
    users = message.reactions.setdefault(name, [])
    if user_id in users:
        raise ApiError("already_reacted")
    users.append(user_id)


@method("reactions.add", tier=3)
def reactions_add(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel, message = _target(ctx, args)
    if channel.archived:
        raise ApiError("is_archived")
    react(message, args.get("name") or "", ctx.ws.bot_user_id)
    return {}


@method("reactions.remove", tier=2)
def reactions_remove(ctx: Ctx, args: Args) -> dict[str, Any]:
    _, message = _target(ctx, args)
    users = message.reactions.get((args.get("name") or "").strip(":"), [])
    if ctx.ws.bot_user_id not in users:
        raise ApiError("no_reaction")
    users.remove(ctx.ws.bot_user_id)
    message.reactions = {n: u for n, u in message.reactions.items() if u}
    return {}


@method("reactions.get", tier=3)
def reactions_get(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel, message = _target(ctx, args)
    return {"type": "message", "channel": channel.id, "message": message_json(ctx.ws, message)}
