"""The Slack side of delivery: calling methods, and finding what a crashed attempt already did."""

from __future__ import annotations

import base64
import logging
import threading
import urllib.request
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from opsbot.delivery.hooks import METADATA_EVENT, TRANSIENT_ERRORS
from opsbot.outbox import OutboxJob

log = logging.getLogger("opsbot.delivery")


class SlackSide:
    """One worker's Web API client, with a cache of channel ids by name."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._channel_ids: dict[str, str] = {}
        self._listing = threading.Lock()

    def call(
        self, method: str, args: dict[str, Any], *, remember: Callable[[str], None]
    ) -> dict[str, Any]:
        """Call ``method``; an upload tells ``remember`` its file id before sending the bytes."""
        if method == UPLOAD:
            return self.upload(args, remember=remember)
        if method in _FORM_METHODS:
            return dict(self.client.api_call(method, params=args).data)  # type: ignore[arg-type]
        return dict(self.client.api_call(method, json=args).data)  # type: ignore[arg-type]

    def upload(self, args: dict[str, Any], *, remember: Callable[[str], None]) -> dict[str, Any]:
        """files.upload_v2 as its three calls, so the file id is known (and kept) before Slack
        may have the file: a retry then asks Slack about that file instead of uploading again."""
        args = dict(args)
        if "content_base64" in args:  # binary files (charts) travel through JSON as base64
            content = base64.b64decode(args.pop("content_base64"))
        else:
            raw = args.pop("content", b"")
            content = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        filename = str(args.get("filename") or "file")
        granted = self.client.files_getUploadURLExternal(filename=filename, length=len(content))
        file_id = str(granted["file_id"])
        remember(file_id)
        request = urllib.request.Request(
            str(granted["upload_url"]),
            data=content,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},
        )
        with urllib.request.urlopen(  # the upload URL Slack just gave
            request, timeout=self.client.timeout, context=self.client.ssl
        ) as answer:
            answer.read()
        complete: dict[str, Any] = {}
        if args.get("channel"):  # files.completeUploadExternal takes channel ids, not names
            complete["channel_id"] = self.channel_id(str(args["channel"]))
        for name in ("initial_comment", "thread_ts"):
            if args.get(name):
                complete[name] = args[name]
        files = [{"id": file_id, "title": str(args.get("title") or filename)}]
        return dict(self.client.files_completeUploadExternal(files=files, **complete).data)  # type: ignore[arg-type]

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
        """After a crash or a lost answer mid-step: what Slack already did for it, if anything."""
        if job.inflight_step != index:
            return None
        try:
            if method == "chat.postMessage":
                return self.already_posted(job, index, args)
            if method == "conversations.create":
                return self.already_created(job, str(args.get("name", "")))
            if method == UPLOAD and job.results.get(upload_key(index)):
                return self.already_uploaded(job, args, str(job.results[upload_key(index)]))
        except SlackApiError as exc:
            status, error = exc.response.status_code, exc.response.get("error")
            if status == 429 or status >= 500 or error in TRANSIENT_ERRORS:
                raise  # ask again later
            # e.g. a DM, whose history the bot may not read: sending again is the lesser harm
            log.warning(
                "outbox job %s step %s: cannot tell whether Slack has it (%s); sending again",
                job.id,
                index,
                error,
            )
        return None

    def already_created(self, job: OutboxJob, name: str) -> dict[str, Any] | None:
        with self._listing:
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
        """The message, if Slack has it: found by the job and step in its metadata."""
        channel = self.channel_id(str(args["channel"]))
        for message in self._latest(channel, args.get("thread_ts")):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("job") == job.id and payload.get("step") == index:
                log.info(
                    "outbox job %s step %s was already posted; not sending again", job.id, index
                )
                return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        return None

    def already_uploaded(
        self, job: OutboxJob, args: dict[str, Any], file_id: str
    ) -> dict[str, Any] | None:
        """The file an earlier attempt uploaded, if Slack completed it: the channel (or thread)
        has a message carrying that file id."""
        if not args.get("channel"):
            return None
        channel = self.channel_id(str(args["channel"]))
        for message in self._latest(channel, args.get("thread_ts")):
            files = message.get("files") or []
            if any(f.get("id") == file_id for f in files):
                log.info("outbox job %s had already uploaded file %s; not again", job.id, file_id)
                return {"ok": True, "files": files, "already": "uploaded"}
        return None

    def _latest(self, channel: str, thread_ts: Any) -> list[dict[str, Any]]:
        """The channel's last 100 messages, or a thread's replies (history leaves them out)."""
        if not thread_ts:
            history = self.client.conversations_history(
                channel=channel, limit=100, include_all_metadata=True
            )
            return list(history.get("messages") or [])
        found: list[dict[str, Any]] = []
        cursor = None
        for _ in range(MAX_THREAD_PAGES):
            page = self.client.conversations_replies(
                channel=channel,
                ts=str(thread_ts),
                limit=200,
                cursor=cursor,
                include_all_metadata=True,
            )
            found += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return found

    def channel_id(self, channel: str) -> str:
        """The id of a channel given by id, name or ``#name`` (a user id stays as it is: a DM)."""
        name = channel.lstrip("#")
        if name[:1] in {"C", "G", "D", "U", "W"} and name.upper() == name:
            return name
        with self._listing:  # one listing at a time, whichever worker thread needs it
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


UPLOAD = "files.upload_v2"
MAX_THREAD_PAGES = 10  # of 200 replies: a reply opsbot sent is looked for in that many


def upload_key(index: int) -> str:
    """Where a job's results keep the file id of the upload at step ``index``."""
    return f"upload_file_id:{index}"


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
