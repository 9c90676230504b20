"""The Slack side of delivery: calling methods, and finding what a crashed attempt already did."""

from __future__ import annotations

import base64
import logging
from typing import Any

from slack_sdk import WebClient

from opsbot.delivery.hooks import METADATA_EVENT
from opsbot.outbox import OutboxJob

log = logging.getLogger("opsbot.delivery")


class SlackSide:
    """One worker's Web API client, with a cache of channel ids by name."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._channel_ids: dict[str, str] = {}

    def call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "files.upload_v2":
            if "content_base64" in args:  # binary files (charts) travel through JSON as base64
                args = {**args, "content": base64.b64decode(args.pop("content_base64"))}
            if "channel" in args:  # files.completeUploadExternal takes channel ids, not names
                args = {**args, "channel": self.channel_id(str(args["channel"]))}
            return dict(self.client.files_upload_v2(**args).data)  # type: ignore[arg-type]
        if method in _FORM_METHODS:
            return dict(self.client.api_call(method, params=args).data)  # type: ignore[arg-type]
        return dict(self.client.api_call(method, json=args).data)  # type: ignore[arg-type]

    @staticmethod
    def mark(job: OutboxJob, index: int, args: dict[str, Any]) -> dict[str, Any]:
        if "metadata" not in args:
            args = {
                **args,
                "metadata": {
                    "event_type": METADATA_EVENT,
                    "event_payload": {"job": job.id, "step": index},
                },
            }
        return args

    def recover(
        self, job: OutboxJob, index: int, method: str, args: dict[str, Any]
    ) -> dict[str, Any] | None:
        """After a crash mid-step: what Slack already did for this step, if anything."""
        if job.inflight_step != index:
            return None
        if method == "chat.postMessage":
            return self.already_posted(job, index, args)
        if method == "conversations.create":
            return self.already_created(job, str(args.get("name", "")))
        return None

    def already_created(self, job: OutboxJob, name: str) -> dict[str, Any] | None:
        self._channel_ids.pop(name, None)
        channel_id = self.channel_id(name)
        if channel_id == name:
            return None
        info = self.client.conversations_info(channel=channel_id).get("channel") or {}
        if float(info.get("created") or 0) >= job.created_at.timestamp() - 5:
            log.info("outbox job %s had already created #%s; not creating it again", job.id, name)
            return {"ok": True, "channel": info}
        return None

    def already_posted(
        self, job: OutboxJob, index: int, args: dict[str, Any]
    ) -> dict[str, Any] | None:
        """After a crash mid-post: the message, if Slack already has it."""
        channel = self.channel_id(str(args["channel"]))
        history = self.client.conversations_history(
            channel=channel, limit=100, include_all_metadata=True
        )
        for message in history.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("job") == job.id and payload.get("step") == index:
                log.info(
                    "outbox job %s step %s was already posted; not sending again", job.id, index
                )
                return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        return None

    def channel_id(self, channel: str) -> str:
        """The id of a channel given by id, name or ``#name`` (a user id stays as it is: a DM)."""
        name = channel.lstrip("#")
        if name[:1] in {"C", "G", "D", "U", "W"} and name.upper() == name:
            return name
        if name not in self._channel_ids:
            cursor = None
            while True:
                page = self.client.conversations_list(
                    limit=1000, cursor=cursor, types="public_channel,private_channel"
                )
                for ch in page.get("channels") or []:
                    self._channel_ids[ch["name"]] = ch["id"]
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        return self._channel_ids.get(name, name)


_FORM_METHODS = {
    "conversations.history",
    "conversations.list",
    "conversations.info",
    "users.info",
    "chat.getPermalink",
}


def retry_after(headers: Any) -> float:
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name) if headers else None
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return max(float(int(value)), 1.0)
            except ValueError:
                break
    return 1.0
