"""The delivery worker: sends outbox jobs to Slack, in order per lane, at Slack's pace.

A crash or an outage delays messages and never loses or doubles them: a post that was in flight
when the process died is looked up in the channel's history (by the job id carried in message
metadata) before it is sent again.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from opsbot import pace
from opsbot.clock import Clock, utcnow
from opsbot.db import transaction
from opsbot.delivery import claims
from opsbot.delivery.hooks import (
    ALREADY_DONE_ERRORS,
    MAX_TRANSIENT_ATTEMPTS,
    TRANSIENT_ERRORS,
    Hooks,
)
from opsbot.delivery.slack_side import SlackSide, retry_after
from opsbot.outbox import DONE, FAILED, IN_FLIGHT, PENDING, OutboxJob, SlackMessage

log = logging.getLogger(__name__)


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
        self.slack = SlackSide(client)
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
        return claims.claim(
            self.engine, self.clock(), lease=self.lease, worker_id=self.worker_id, batch=self.batch
        )

    def _release(self, job_id: int, *, delay: float = 0.0, error: str | None = None) -> None:
        claims.release(self.engine, job_id, at=self.clock() + timedelta(seconds=delay), error=error)

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
                    args = self.slack.mark(job, index, args)
                response = self.slack.recover(job, index, spec["method"], args)
                if response is None:
                    if spec["method"] == "chat.postMessage":
                        self._take_pace(self.slack.channel_id(str(args["channel"])))
                    self._set_inflight(job, index)
                    response = self.slack.call(spec["method"], args)
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
                    if not claims.will_be_posted(self.engine, value["$message"]):
                        raise _Permanent(f"message {value['$message']} was never posted")
                    raise _Wait(1.0, f"message {value['$message']} not posted yet")
                return message.channel if value["part"] == "channel" else message.ts
            return {k: self._resolve(job, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(job, v) for v in value]
        return value

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
            wait = retry_after(exc.response.headers)
            self.stats.retried += 1
            self._release(job.id or 0, delay=wait, error=f"ratelimited ({wait}s)")
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


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data
