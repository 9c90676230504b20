"""One claimed outbox job, run step by step against the Slack Web API.

Every write names the claim (``claims.fenced``), and each call to Slack is preceded by a fenced
write that marks the step in flight and renews the lease: a worker that lost its claim learns
it there and sends nothing more. A step found in flight (a crash, a lost claim, a lost answer)
is looked up on Slack's side before it is sent again.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from opsbot import pace
from opsbot.db import transaction
from opsbot.delivery import claims
from opsbot.delivery.claims import Claim
from opsbot.delivery.hooks import ALREADY_DONE_ERRORS, MAX_TRANSIENT_ATTEMPTS, TRANSIENT_ERRORS
from opsbot.delivery.slack_side import retry_after, upload_key
from opsbot.outbox import DONE, FAILED, IN_FLIGHT, PENDING, OutboxJob, SlackMessage

if TYPE_CHECKING:
    from opsbot.delivery.worker import Delivery

log = logging.getLogger("opsbot.delivery")
SLOT_WAIT_SECONDS = 0.25


class Wait(Exception):
    """The job cannot go on yet (a referenced message is not posted, or the channel is busy)."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds


class _Permanent(Exception):
    pass


class ChannelSlots:
    """At most one Slack call per channel in flight in this process: a slow channel ties up
    one worker thread, never all of them."""

    def __init__(self) -> None:
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def take(self, channel_id: str | None) -> Iterator[None]:
        if channel_id is None:
            yield
            return
        with self._lock:
            if channel_id in self._busy:
                raise Wait(SLOT_WAIT_SECONDS, f"a call to {channel_id} is in flight")
            self._busy.add(channel_id)
        try:
            yield
        finally:
            with self._lock:
                self._busy.discard(channel_id)


class JobRun:
    """Runs the steps of one claimed job; ``LostClaim`` escapes when the claim was lost."""

    def __init__(self, worker: Delivery, claim: Claim) -> None:
        self.worker = worker
        self.claim = claim
        self.slack = worker.slack

    def run(self) -> None:
        job = self._load()
        if job is None:
            return
        if self._previous_call_may_be_under_way(job):
            return
        while job.step_index < len(job.steps):
            if self.worker.stopping:
                self._release(0.0)
                return
            index = job.step_index
            spec = job.steps[index]
            try:
                args = self._resolve(job, spec["args"])
                if spec["method"] == "chat.postMessage":
                    args = self.slack.mark(job, index, args)
                response = self.slack.recover(job, index, spec["method"], args)
                if response is None:
                    response = self._send(job, index, spec["method"], args)
            except Wait as wait:
                self._release(wait.seconds)
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
        self._record(status=DONE, lease_until=None, error=None)

    def _load(self) -> OutboxJob | None:
        with Session(self.worker.engine, expire_on_commit=False) as session:
            job = session.get(OutboxJob, self.claim.job_id)
        if job is None or job.status != IN_FLIGHT or job.claim_token != self.claim.token:
            return None
        return job

    def _previous_call_may_be_under_way(self, job: OutboxJob) -> bool:
        """A job taken over from a worker whose lease ran out (it stalled, or died) while a
        step was in flight: that worker's call may still reach Slack, so the step is looked
        up only once such a call has surely ended (the job waits until then)."""
        since = self.claim.last_written
        if not self.claim.takeover or job.inflight_step is None or since is None:
            return False
        ends = since + self.worker.call_limit
        now = self.worker.clock()
        if now >= ends:
            return False
        self._release((ends - now).total_seconds())
        log.warning(
            "outbox job %s: its last worker's call may still be under way; looking again at %s",
            job.id,
            ends.isoformat(timespec="seconds"),
        )
        return True

    # ---- sending ------------------------------------------------------------------------------
    def _resolve(self, job: OutboxJob, value: Any) -> Any:
        if isinstance(value, dict):
            if "$ref" in value:
                if value["$ref"] not in job.results:
                    raise _Permanent(f"step refers to {value['$ref']!r}, which no step saved")
                return job.results[value["$ref"]]
            if "$message" in value:
                with Session(self.worker.engine) as session:
                    message = session.get(SlackMessage, value["$message"])
                if message is None:
                    if not claims.will_be_posted(self.worker.engine, value["$message"]):
                        raise _Permanent(f"message {value['$message']} was never posted")
                    raise Wait(1.0, f"message {value['$message']} not posted yet")
                return message.channel if value["part"] == "channel" else message.ts
            return {k: self._resolve(job, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(job, v) for v in value]
        return value

    def _send(self, job: OutboxJob, index: int, method: str, args: dict[str, Any]) -> Any:
        channel = args.get("channel")
        channel_id = self.slack.channel_id(channel) if isinstance(channel, str) else None
        with self.worker.channel_slots.take(channel_id):
            if method == "chat.postMessage" and channel_id:
                wait = pace.take(self.worker.engine, channel_id, self.worker.clock())
                if wait > 0:
                    raise Wait(wait, f"channel {channel_id} is at Slack's pace")
            now = self.worker.clock()
            # the check before the send: still ours, marked in flight, leased afresh
            self._record(inflight_step=index, lease_until=now + self.worker.lease)
            job.inflight_step = index

            def remember(file_id: str) -> None:
                job.results = {**job.results, upload_key(index): file_id}
                self._record(results=job.results)

            return self.slack.call(method, args, remember=remember)

    # ---- recording ----------------------------------------------------------------------------
    def _record(self, **values: Any) -> None:
        with transaction(self.worker.engine) as session:
            claims.fenced(session, self.claim, updated_at=self.worker.clock(), **values)

    def _release(self, delay: float, error: str | None = None) -> None:
        now = self.worker.clock()
        claims.release(
            self.worker.engine,
            self.claim,
            at=now + timedelta(seconds=delay),
            error=error,
            now=now,
        )

    def _step_done(self, job: OutboxJob, index: int, response: dict[str, Any]) -> None:
        spec = job.steps[index]
        now = self.worker.clock()
        results = dict(job.results)
        for name, path in (spec.get("save") or {}).items():
            results[name] = _dig(response, path)
        with transaction(self.worker.engine) as session:
            claims.fenced(
                session,
                self.claim,
                results=results,
                step_index=index + 1,
                inflight_step=None,
                lease_until=now + self.worker.lease,
                updated_at=now,
            )
            if spec.get("key") and "ts" in response:
                message = session.get(SlackMessage, spec["key"]) or SlackMessage(
                    key=spec["key"], channel=response["channel"], ts=response["ts"], posted_at=now
                )
                message.channel, message.ts = response["channel"], response["ts"]
                session.add(message)
            if spec.get("hook"):
                fresh = session.get(OutboxJob, job.id)
                assert fresh is not None
                self.worker.hooks.after_step[spec["hook"]](session, fresh, response)
        job.results, job.step_index, job.inflight_step = results, index + 1, None
        self.worker.stats.count("sent")

    def _handle_api_error(self, job: OutboxJob, index: int, exc: SlackApiError) -> bool:
        """Decide what a Slack error means; True when the job may go on with its next try now."""
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            wait = retry_after(exc.response.headers)
            self.worker.stats.count("retried")
            self._release(wait, error=f"ratelimited ({wait}s)")
            return False
        if error in ALREADY_DONE_ERRORS:
            self._step_done(job, index, {"ok": True, "already": error})
            return True
        if status >= 500 or error in TRANSIENT_ERRORS:
            self._retry_later(job, error)
            return False
        spec = job.steps[index]
        if spec.get("on_error"):
            with transaction(self.worker.engine) as session:
                claims.fenced(session, self.claim, updated_at=self.worker.clock())
                fresh = session.get(OutboxJob, job.id)
                assert fresh is not None
                new_args = self.worker.hooks.on_error[spec["on_error"]](
                    session, fresh, spec["args"], error
                )
                if new_args is not None:
                    steps = [dict(s) for s in fresh.steps]
                    steps[index] = {**steps[index], "args": new_args}
                    fresh.steps, fresh.inflight_step = steps, None
                    session.add(fresh)
                    job.steps, job.inflight_step = steps, None
                    return True
        self._fail(job, error)
        return False

    def _retry_later(self, job: OutboxJob, error: str) -> None:
        self.worker.stats.count("retried")
        if job.attempts + 1 >= MAX_TRANSIENT_ATTEMPTS:
            self._fail(job, f"gave up after {job.attempts + 1} attempts: {error}")
            return
        delay = min(self.worker.retry_base * 2.0 ** min(job.attempts, 8), 300.0) * (
            0.5 + random.random() / 2
        )
        self._record(
            status=PENDING,
            attempts=job.attempts + 1,
            error=error,
            lease_until=None,
            next_attempt_at=self.worker.clock() + timedelta(seconds=delay),
        )
        log.warning(
            "outbox job %s (%s) will be retried in %.1fs: %s", job.id, job.kind, delay, error
        )

    def _fail(self, job: OutboxJob, error: str) -> None:
        with transaction(self.worker.engine) as session:
            claims.fenced(
                session,
                self.claim,
                status=FAILED,
                error=error,
                lease_until=None,
                updated_at=self.worker.clock(),
            )
            fresh = session.get(OutboxJob, job.id)
            if fresh is not None and fresh.on_fail:
                self.worker.hooks.on_fail[fresh.on_fail](session, fresh, error)
        self.worker.stats.count("failed")
        log.error("outbox job %s (%s) failed permanently: %s", job.id, job.kind, error)
        if self.worker.on_failure:
            self.worker.on_failure(job.kind, error)


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data
