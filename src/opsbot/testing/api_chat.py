"""chat.* methods and response_url posts: messages, edits, deletions, ephemerals, permalinks."""

from __future__ import annotations

from typing import Any

from . import limits
from .model import ApiError, Channel, Ephemeral, Message, Response
from .shapes import message_json, permalink
from .state import ResponseTarget, Workspace
from .webapi import Args, Ctx, method


def content(args: Args, *, text_limit: int, need: bool = True) -> tuple[str | None, Any]:
    """The text and blocks of a message, refused as Slack refuses over-limit ones."""
    text = args.get("text")
    blocks = args.decoded("blocks", invalid="invalid_blocks_format")
    return checked_content(text, blocks, text_limit=text_limit, need=need)


def checked_content(
    text: str | None, blocks: Any, *, text_limit: int, need: bool = True
) -> tuple[str | None, Any]:
    if blocks is not None and not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if need and not text and not blocks:
        raise ApiError("no_text")
    if text is not None and len(text) > text_limit:
        raise ApiError("msg_too_long")
    if blocks:
        problems = limits.block_problems(blocks, max_blocks=limits.MESSAGE_BLOCKS)
        if problems:
            raise ApiError("invalid_blocks", messages=problems)
    return text, blocks


def metadata_arg(args: Args) -> dict[str, Any] | None:
    """Message metadata ``{event_type, event_payload}``, as a JSON string or an object."""
    metadata = args.decoded("metadata", invalid="invalid_metadata_format")
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
        raise ApiError("invalid_metadata_schema")
    return {
        "event_type": metadata["event_type"],
        "event_payload": metadata.get("event_payload") or {},
    }


def writable(ws: Workspace, ref: str | None) -> Channel:
    """A channel the bot may post in: public ones freely (chat:write.public), others as member."""
    channel = ws.channel(ref)
    if channel.archived:
        raise ApiError("is_archived")
    if channel.is_private and ws.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def thread_root(ws: Workspace, channel: Channel, thread_ts: str | None) -> str | None:
    """The ts of the thread a reply joins (a reply's own thread), or None for top level."""
    if not thread_ts:
        return None
    parent = ws.find_message(channel.id, thread_ts)
    if parent is None or parent.deleted:
        raise ApiError("invalid_thread_ts")
    return parent.thread_ts if parent.is_reply else parent.ts


@method("chat.postMessage", tier=None)
def post_message(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = writable(ctx.ws, args.get("channel", missing="channel_not_found"))
    text, blocks = content(args, text_limit=limits.MESSAGE_TEXT)
    message = ctx.ws.post(
        channel,
        text=text or "",
        blocks=blocks,
        thread_ts=thread_root(ctx.ws, channel, args.get("thread_ts")),
        metadata=metadata_arg(args),
        reply_broadcast=args.flag("reply_broadcast"),
    )
    return {"channel": channel.id, "ts": message.ts, "message": message_json(ctx.ws, message)}


def _own_message(ctx: Ctx, args: Args, *, refusal: str) -> tuple[Channel, Message]:
    channel = ctx.ws.channel(args.get("channel", missing="channel_not_found"))
    message = ctx.ws.message(channel.id, args.get("ts", missing="message_not_found"))
    if message.user is not None:
        raise ApiError(refusal)
    return channel, message


@method("chat.update", tier=3)
def update(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel, message = _own_message(ctx, args, refusal="cant_update_message")
    if channel.archived:
        raise ApiError("is_archived")
    text, blocks = content(args, text_limit=limits.UPDATE_TEXT, need=False)
    metadata = metadata_arg(args)
    if text is not None:
        message.text = text
    if blocks is not None:
        message.blocks = list(blocks)
    if metadata is not None:
        message.metadata = metadata
    message.edits += 1
    return {
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message_json(ctx.ws, message),
    }


@method("chat.delete", tier=3)
def delete(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel, message = _own_message(ctx, args, refusal="cant_delete_message")
    message.deleted = True
    if message.ts in channel.pins:
        channel.pins.remove(message.ts)
    return {"channel": channel.id, "ts": message.ts}


@method("chat.postEphemeral", tier=4)
def post_ephemeral(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = writable(ctx.ws, args.get("channel", missing="channel_not_found"))
    user = ctx.ws.user(args.need("user", "user_not_found"))
    if user.id not in channel.members:
        raise ApiError("user_not_in_channel")
    text, blocks = content(args, text_limit=limits.MESSAGE_TEXT)
    ephemeral = Ephemeral(channel.id, user.id, text or "", list(blocks or []), ctx.ws.ts.next())
    ctx.ws.ephemerals.append(ephemeral)
    return {"message_ts": ephemeral.ts}


@method("chat.getPermalink", tier=None)
def get_permalink(ctx: Ctx, args: Args) -> dict[str, Any]:
    channel = ctx.ws.channel(args.get("channel", missing="channel_not_found"))
    message = ctx.ws.message(channel.id, args.get("message_ts", missing="message_not_found"))
    return {"channel": channel.id, "permalink": permalink(channel.id, message.ts)}


def respond(ws: Workspace, target: ResponseTarget, payload: dict[str, Any]) -> None:
    """Apply a post to a response_url: ephemeral (default) or in_channel, replace or delete."""
    text, blocks = checked_content(
        payload.get("text"),
        payload.get("blocks"),
        text_limit=limits.MESSAGE_TEXT,
        need=not payload.get("delete_original"),
    )
    target.uses += 1
    if target.uses > 5:
        raise ApiError("used_url", status=404)
    if payload.get("delete_original") or payload.get("replace_original"):
        replace = bool(payload.get("replace_original"))
        if target.ephemeral is not None:
            if replace:
                target.ephemeral.text = text or ""
                target.ephemeral.blocks = list(blocks or [])
                target.ephemeral.edits += 1
            elif target.ephemeral in ws.ephemerals:
                ws.ephemerals.remove(target.ephemeral)
            return
        if target.channel and target.message_ts:
            message = ws.message(target.channel, target.message_ts)
            if replace:
                message.text, message.blocks = text or "", list(blocks or [])
                message.edits += 1
            else:
                message.deleted = True
            return
    if target.channel is None:
        raise ApiError("channel_not_found", status=404)
    channel = ws.channel(target.channel)
    if payload.get("response_type") == "in_channel":
        thread_ts = payload.get("thread_ts")
        ws.post(
            channel,
            text=text or "",
            blocks=blocks,
            thread_ts=thread_root(ws, channel, thread_ts) if thread_ts else None,
        )
    else:
        ws.ephemerals.append(
            Ephemeral(
                channel.id,
                target.user,
                text or "",
                list(blocks or []),
                ws.ts.next(),
                "response_url",
            )
        )


def show_ack(ws: Workspace, where: Channel, user_id: str, response: Response) -> None:
    """Slack shows a command's non-empty ack body: to the typist, or in channel if asked."""
    if response.status != 200 or not response.body_text.strip():
        return
    ws.bot_acted()
    body = response.json if isinstance(response.json, dict) else {"text": response.body_text}
    text, blocks = body.get("text") or "", list(body.get("blocks") or [])
    if body.get("response_type") == "in_channel":
        ws.post(where, text=text, blocks=blocks)
    elif text or blocks:
        ws.ephemerals.append(Ephemeral(where.id, user_id, text, blocks, ws.ts.next(), "ack"))
