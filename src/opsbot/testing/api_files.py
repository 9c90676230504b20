"""files.*: the external upload flow (get URL, POST bytes, complete) that files_upload_v2 uses."""

from __future__ import annotations

from typing import Any

from .api_chat import thread_root, writable
from .model import ApiError, File
from .shapes import file_json
from .state import Upload, Workspace
from .webapi import Args, Ctx, method


@method("files.getUploadURLExternal", tier=4)
def get_upload_url(ctx: Ctx, args: Args) -> dict[str, Any]:
    filename = args.need("filename", "invalid_arguments")
    length = args.number("length", -1)
    if length < 0:
        raise ApiError("invalid_arguments")
    file_id = ctx.ws.new_id("F")
    ctx.ws.uploads[file_id] = Upload(filename, length)
    return {"upload_url": f"{ctx.base_url}upload/{file_id}", "file_id": file_id}


def receive_upload(ws: Workspace, file_id: str, content: bytes) -> bool:
    """Keep the bytes POSTed to an upload URL; False when no such upload was issued."""
    with ws.lock:
        upload = ws.uploads.get(file_id)
        if upload is None or upload.completed:
            return False
        upload.content = content
        return True


@method("files.completeUploadExternal", tier=4)
def complete_upload(ctx: Ctx, args: Args) -> dict[str, Any]:
    items = args.decoded("files", invalid="invalid_arguments")
    if not isinstance(items, list) or not items:
        raise ApiError("invalid_arguments")
    channel_refs = args.items("channels") or args.items("channel_id")
    channels = [writable(ctx.ws, ref) for ref in channel_refs]
    uploads = []
    for item in items:
        upload = ctx.ws.uploads.get(str(item.get("id")) if isinstance(item, dict) else "")
        if upload is None or upload.completed or upload.content is None:
            raise ApiError("file_not_found")
        uploads.append((item, upload))
    comment = args.get("initial_comment")
    roots = [thread_root(ctx.ws, channel, args.get("thread_ts")) for channel in channels]
    files = []
    for item, upload in uploads:
        upload.completed = True
        assert upload.content is not None
        file = File(
            item["id"],
            channels[0].id if channels else None,
            upload.filename,
            item.get("title") or upload.filename,
            upload.content,
            comment,
            None,
            ctx.ws.now(),
        )
        ctx.ws.files[file.id] = file
        files.append(file)
    for channel, root in zip(channels, roots, strict=True):
        message = ctx.ws.post(channel, text=comment or "", files=files, thread_ts=root)
        for file in files:
            file.ts = file.ts or message.ts
    return {"files": [file_json(ctx.ws, f) for f in files]}


@method("files.info", tier=4)
def files_info(ctx: Ctx, args: Args) -> dict[str, Any]:
    file = ctx.ws.files.get(args.get("file") or "")
    if file is None:
        raise ApiError("file_not_found")
    return {
        "file": file_json(ctx.ws, file),
        "comments": [],
        "response_metadata": {"next_cursor": ""},
    }
