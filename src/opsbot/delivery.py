"""The delivery worker: sends outbox jobs to Slack, in order per lane, at Slack's pace.

A crash or an outage delays messages and never loses or doubles them: a post that was in flight
when the process died is looked up in the channel's history (by the job id carried in message
metadata) before it is sent again.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from opsbot import pace
from opsbot.clock import Clock, utcnow
from opsbot.db import transaction
from opsbot.outbox import DONE, FAILED, IN_FLIGHT, PENDING, UNFINISHED, OutboxJob, SlackMessage

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = {
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
    "rate_limited",
    "team_added_to_org",
}
ALREADY_DONE_ERRORS = {
    "already_in_channel",
    "already_pinned",
    "already_reacted",
    "already_archived",
    "no_reaction",
}
METADATA_EVENT = "opsbot_outbox"
MAX_TRANSIENT_ATTEMPTS = 60

AfterStep = Callable[[Session, OutboxJob, dict[str, Any]], None]
OnError = Callable[[Session, OutboxJob, dict[str, Any], str], dict[str, Any] | None]
OnFail = Callable[[Session, OutboxJob, str], None]


@dataclass
class Hooks:
    """Domain callbacks run inside delivery's transactions, registered by name."""

    after_step: dict[str, AfterStep] = field(default_factory=dict)
    on_error: dict[str, OnError] = field(default_factory=dict)
    on_fail: dict[str, OnFail] = field(default_factory=dict)


class _Wait(Exception):
    """The job cannot go on yet (a referenced message is not posted, or the channel is busy)."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds


class _Permanent(Exception):
    pass


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0


class Delivery:
    """Claims due outbox jobs and runs their steps against the Slack Web API."""

    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        *,
        hooks: Hooks | None = None,
        clock: Clock = utcnow,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        retry_base_seconds: float = 1.0,
        batch: int = 50,
        on_failure: Callable[[str, str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.hooks = hooks or Hooks()
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.retry_base = retry_base_seconds
        self.worker_id = f"delivery-{uuid.uuid4().hex[:8]}"
        self.stats = DeliveryStats()
        self.on_failure = on_failure
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._channel_ids: dict[str, str] = {}

    # ---- the loop ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.worker_id, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the job in hand, then stop; unsent jobs stay in the outbox for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look for work now instead of at the next poll (called after a service commits)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.run_once()
            except Exception:
                log.exception("delivery pass failed; retrying")
                handled = 0
            if handled == 0:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def run_once(self) -> int:
        """Send every job that is due now; returns how many were worked on."""
        jobs = self._claim()
        for job_id in jobs:
            if self._stop.is_set():
                self._release(job_id)
                continue
            self._work(job_id)
        return len(jobs)

    # ---- claiming -------------------------------------------------------------------------------
    def _claim(self) -> list[int]:
        now = self.clock()
        ahead = aliased(OutboxJob)
        earlier = select(ahead.id).where(  # an unfinished job ahead in the same lane
            col(ahead.lane) == col(OutboxJob.lane),
            col(ahead.id) < col(OutboxJob.id),
            col(ahead.status).in_((PENDING, IN_FLIGHT)),
        )
        due = or_(
            (col(OutboxJob.status) == PENDING) & (col(OutboxJob.next_attempt_at) <= now),
            (col(OutboxJob.status) == IN_FLIGHT) & (col(OutboxJob.lease_until) < now),
        )
        query = (
            select(OutboxJob.id)
            .where(due)
            .where(~earlier.exists())
            .order_by(col(OutboxJob.id))
            .limit(self.batch)
        )
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxJob)
        claimed: list[int] = []
        with transaction(self.engine) as session:
            for job_id in session.exec(query).all():
                result = session.execute(
                    update(OutboxJob)
                    .where(col(OutboxJob.id) == job_id)
                    .where(due)
                    .values(
                        status=IN_FLIGHT,
                        lease_until=now + self.lease,
                        claimed_by=self.worker_id,
                        updated_at=now,
                    )
                )
                if getattr(result, "rowcount", 0) == 1:
                    claimed.append(int(job_id))  # type: ignore[arg-type]
        return claimed

    def _release(self, job_id: int, *, delay: float = 0.0, error: str | None = None) -> None:
        with transaction(self.engine) as session:
            job = session.get(OutboxJob, job_id)
            if job and job.status == IN_FLIGHT:
                job.status = PENDING
                job.next_attempt_at = self.clock() + timedelta(seconds=delay)
                job.lease_until = None
                if error:
                    job.error = error
                session.add(job)

    # ---- running a job --------------------------------------------------------------------------
    def _work(self, job_id: int) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            job = session.get(OutboxJob, job_id)
        if job is None or job.status != IN_FLIGHT:
            return
        while job.step_index < len(job.steps):
            index = job.step_index
            spec = job.steps[index]
            try:
                args = self._resolve(job, spec["args"])
                if spec["method"] == "chat.postMessage":
                    args = self._mark(job, index, args)
                response = self._recover(job, index, spec["method"], args)
                if response is None:
                    if spec["method"] == "chat.postMessage":
                        self._take_pace(str(args["channel"]))
                    self._set_inflight(job, index)
                    response = self._call(spec["method"], args)
            except _Wait as wait:
                self._release(job.id or 0, delay=wait.seconds)
                return
            except SlackApiError as exc:
                if not self._handle_api_error(job, index, exc):
                    return
                continue
            except (OSError, TimeoutError) as exc:  # connection refused, reset, timed out
                self._retry_later(job, f"connection error: {type(exc).__name__}")
                return
            except _Permanent as exc:
                self._fail(job, str(exc))
                return
            self._step_done(job, index, response)
        self._finish(job)

    def _call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "files.upload_v2":
            if "content_base64" in args:  # binary files (charts) travel through JSON as base64
                args = {**args, "content": base64.b64decode(args.pop("content_base64"))}
            if "channel" in args:  # files.completeUploadExternal takes channel ids, not names
                args = {**args, "channel": self._channel_id(str(args["channel"]))}
            return dict(self.client.files_upload_v2(**args).data)  # type: ignore[arg-type]
        if method in _FORM_METHODS:
            return dict(self.client.api_call(method, params=args).data)  # type: ignore[arg-type]
        return dict(self.client.api_call(method, json=args).data)  # type: ignore[arg-type]

    def _resolve(self, job: OutboxJob, value: Any) -> Any:
        if isinstance(value, dict):
            if "$ref" in value:
                if value["$ref"] not in job.results:
                    raise _Permanent(f"step refers to {value['$ref']!r}, which no step saved")
                return job.results[value["$ref"]]
            if "$message" in value:
                with Session(self.engine) as session:
                    message = session.get(SlackMessage, value["$message"])
                if message is None:
                    if not self._will_be_posted(value["$message"]):
                        raise _Permanent(f"message {value['$message']} was never posted")
                    raise _Wait(1.0, f"message {value['$message']} not posted yet")
                return message.channel if value["part"] == "channel" else message.ts
            return {k: self._resolve(job, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(job, v) for v in value]
        return value

    def _will_be_posted(self, key: str) -> bool:
        with Session(self.engine) as session:
            waiting = session.exec(
                select(OutboxJob.id).where(
                    col(OutboxJob.posts_key) == key, col(OutboxJob.status).in_(UNFINISHED)
                )
            ).first()
        return waiting is not None

    def _mark(self, job: OutboxJob, index: int, args: dict[str, Any]) -> dict[str, Any]:
        if "metadata" not in args:
            args = {
                **args,
                "metadata": {
                    "event_type": METADATA_EVENT,
                    "event_payload": {"job": job.id, "step": index},
                },
            }
        return args

    def _take_pace(self, channel: str) -> None:
        wait = pace.take(self.engine, channel, self.clock())
        if wait > 0:
            raise _Wait(wait, f"channel {channel} is at Slack's pace")

    def _set_inflight(self, job: OutboxJob, index: int) -> None:
        if job.inflight_step == index:
            return
        with transaction(self.engine) as session:
            session.execute(
                update(OutboxJob).where(col(OutboxJob.id) == job.id).values(inflight_step=index)
            )
        job.inflight_step = index

    def _recover(
        self, job: OutboxJob, index: int, method: str, args: dict[str, Any]
    ) -> dict[str, Any] | None:
        """After a crash mid-step: what Slack already did for this step, if anything."""
        if job.inflight_step != index:
            return None
        if method == "chat.postMessage":
            return self._already_posted(job, index, args)
        if method == "conversations.create":
            return self._already_created(job, str(args.get("name", "")))
        return None

    def _already_created(self, job: OutboxJob, name: str) -> dict[str, Any] | None:
        self._channel_ids.pop(name, None)
        channel_id = self._channel_id(name)
        if channel_id == name:
            return None
        info = self.client.conversations_info(channel=channel_id).get("channel") or {}
        if float(info.get("created") or 0) >= job.created_at.timestamp() - 5:
            log.info("outbox job %s had already created #%s; not creating it again", job.id, name)
            return {"ok": True, "channel": info}
        return None

    def _already_posted(
        self, job: OutboxJob, index: int, args: dict[str, Any]
    ) -> dict[str, Any] | None:
        """After a crash mid-post: the message, if Slack already has it."""
        channel = self._channel_id(str(args["channel"]))
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

    def _channel_id(self, channel: str) -> str:
        name = channel.lstrip("#")
        if name[:1] in {"C", "G", "D"} and name.upper() == name:
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

    # ---- recording outcomes ---------------------------------------------------------------
    def _step_done(self, job: OutboxJob, index: int, response: dict[str, Any]) -> None:
        spec = job.steps[index]
        with transaction(self.engine) as session:
            fresh = session.get(OutboxJob, job.id)
            assert fresh is not None
            results = dict(fresh.results)
            for name, path in (spec.get("save") or {}).items():
                results[name] = _dig(response, path)
            if spec.get("key") and "ts" in response:
                message = session.get(SlackMessage, spec["key"]) or SlackMessage(
                    key=spec["key"],
                    channel=response["channel"],
                    ts=response["ts"],
                    posted_at=self.clock(),
                )
                message.channel, message.ts = response["channel"], response["ts"]
                session.add(message)
            fresh.results = results
            fresh.step_index = index + 1
            fresh.inflight_step = None
            fresh.lease_until = self.clock() + self.lease
            fresh.updated_at = self.clock()
            session.add(fresh)
            if spec.get("hook"):
                self.hooks.after_step[spec["hook"]](session, fresh, response)
            job.results, job.step_index, job.inflight_step = results, index + 1, None
        self.stats.sent += 1

    def _handle_api_error(self, job: OutboxJob, index: int, exc: SlackApiError) -> bool:
        """Decide what a Slack error means; True when the job may go on with its next try now."""
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            retry_after = _retry_after(exc.response.headers)
            self.stats.retried += 1
            self._release(job.id or 0, delay=retry_after, error=f"ratelimited ({retry_after}s)")
            return False
        if error in ALREADY_DONE_ERRORS:
            self._step_done(job, index, {"ok": True, "already": error})
            return True
        if status >= 500 or error in TRANSIENT_ERRORS:
            self._retry_later(job, error)
            return False
        spec = job.steps[index]
        if spec.get("on_error"):
            with transaction(self.engine) as session:
                fresh = session.get(OutboxJob, job.id)
                assert fresh is not None
                new_args = self.hooks.on_error[spec["on_error"]](
                    session, fresh, spec["args"], error
                )
                if new_args is not None:
                    steps = [dict(s) for s in fresh.steps]
                    steps[index] = {**steps[index], "args": new_args}
                    fresh.steps = steps
                    fresh.inflight_step = None
                    session.add(fresh)
                    job.steps, job.inflight_step = steps, None
                    return True
        self._fail(job, error)
        return False

    def _retry_later(self, job: OutboxJob, error: str) -> None:
        self.stats.retried += 1
        if job.attempts + 1 >= MAX_TRANSIENT_ATTEMPTS:
            self._fail(job, f"gave up after {job.attempts + 1} attempts: {error}")
            return
        delay = min(self.retry_base * 2.0 ** min(job.attempts, 8), 300.0) * (
            0.5 + random.random() / 2
        )
        with transaction(self.engine) as session:
            fresh = session.get(OutboxJob, job.id)
            if fresh and fresh.status == IN_FLIGHT:
                fresh.status = PENDING
                fresh.attempts += 1
                fresh.error = error
                fresh.lease_until = None
                fresh.next_attempt_at = self.clock() + timedelta(seconds=delay)
                session.add(fresh)
        log.warning(
            "outbox job %s (%s) will be retried in %.1fs: %s", job.id, job.kind, delay, error
        )

    def _fail(self, job: OutboxJob, error: str) -> None:
        with transaction(self.engine) as session:
            fresh = session.get(OutboxJob, job.id)
            if fresh is None:
                return
            fresh.status = FAILED
            fresh.error = error
            fresh.lease_until = None
            fresh.updated_at = self.clock()
            session.add(fresh)
            if fresh.on_fail:
                self.hooks.on_fail[fresh.on_fail](session, fresh, error)
        self.stats.failed += 1
        log.error("outbox job %s (%s) failed permanently: %s", job.id, job.kind, error)
        if self.on_failure:
            self.on_failure(job.kind, error)

    def _finish(self, job: OutboxJob) -> None:
        with transaction(self.engine) as session:
            session.execute(
                update(OutboxJob)
                .where(col(OutboxJob.id) == job.id)
                .values(status=DONE, lease_until=None, error=None, updated_at=self.clock())
            )


_FORM_METHODS = {
    "conversations.history",
    "conversations.list",
    "conversations.info",
    "users.info",
    "chat.getPermalink",
}


def _retry_after(headers: Any) -> float:
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


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data
