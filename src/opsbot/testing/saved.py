"""A workspace kept in a JSON file, so a stand-in started again finds what Slack would still hold.

Kept: users, channels (members, topic, pins), messages with their threads, reactions and files.
Not kept, as in Slack: ephemeral messages, open modals, trigger ids and response_urls. App Home
views are published again when a person opens the tab.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .model import Channel, File, Message, User
from .state import Workspace

FORMAT = 1
_NUMBERED = re.compile(r"^[A-Z](\d{9})$")


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Everything worth keeping, as plain JSON values."""
    with ws.lock:
        return {
            "format": FORMAT,
            "team_id": ws.team_id,
            "users": [dataclasses.asdict(u) for u in ws.users.values()],
            "channels": [
                {**dataclasses.asdict(c), "members": sorted(c.members)}
                for c in ws.channels.values()
            ],
            "messages": [_message(m) for ms in ws.messages.values() for m in ms],
            "files": [_file(f) for f in ws.files.values()],
        }


def _message(message: Message) -> dict[str, Any]:
    fields = {f.name: getattr(message, f.name) for f in dataclasses.fields(message)}
    return {**fields, "files": [f.id for f in message.files]}


def _file(file: File) -> dict[str, Any]:
    return {**dataclasses.asdict(file), "content": base64.b64encode(file.content).decode()}


def restore(ws: Workspace, data: dict[str, Any]) -> None:
    """Replace ``ws``'s users, channels, messages and files with ``data`` from :func:`snapshot`.

    New ids and message timestamps continue after the restored ones, so nothing collides.
    """
    if data.get("format") != FORMAT:
        raise ValueError(f"not a saved workspace of format {FORMAT}")
    with ws.lock:
        ws.users = {u["id"]: User(**u) for u in data["users"]}
        ws.channels = {
            c["id"]: Channel(**{**c, "members": set(c["members"])}) for c in data["channels"]
        }
        ws.files = {
            f["id"]: File(**{**f, "content": base64.b64decode(f["content"])}) for f in data["files"]
        }
        ws.messages = {cid: [] for cid in ws.channels}
        for raw in data["messages"]:
            files = [ws.files[fid] for fid in raw["files"] if fid in ws.files]
            ws.messages.setdefault(raw["channel"], []).append(Message(**{**raw, "files": files}))
        ids = [u["id"] for u in data["users"]] + list(ws.channels) + list(ws.files)
        numbers = [int(m.group(1)) for i in ids if (m := _NUMBERED.match(i))]
        ws._ids = itertools.count(max(numbers, default=0) + 1)
        stamps = [m["ts"] for m in data["messages"]]
        ws.ts.resume_after(max(stamps, key=float) if stamps else "0.000000")


def save(ws: Workspace, path: Path) -> None:
    """Write the snapshot to ``path`` atomically (a crash mid-write leaves the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(snapshot(ws), out)
    os.replace(temporary, path)


def load(ws: Workspace, path: Path) -> bool:
    """Restore ``ws`` from ``path``; False (and nothing changed) when there is no such file."""
    if not path.is_file():
        return False
    restore(ws, json.loads(path.read_text(encoding="utf-8")))
    return True
