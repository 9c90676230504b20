"""The delivery worker: sends outbox jobs to Slack, lanes side by side, each lane in order.

A dispatcher claims the first due job of as many lanes as it has free threads, and hands each
to a thread at once, so no claimed job waits on another; a heartbeat renews the lease of every
job in hand, so a slow Slack call keeps its claim. A crash or an outage delays messages and
never loses or doubles them (see ``runner``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_all
from dataclasses import dataclass, field
from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine

from opsbot.clock import Clock, utcnow
from opsbot.delivery import claims
from opsbot.delivery.claims import Claim, LostClaim
from opsbot.delivery.hooks import Hooks
from opsbot.delivery.runner import ChannelSlots, JobRun
from opsbot.delivery.slack_side import SlackSide

log = logging.getLogger(__name__)


@dataclass
class DeliveryStats:
    """What one worker did: steps sent, jobs failed, retries, and claims it found lost."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    lost: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


class Delivery:
    """Claims due outbox jobs and runs them, up to ``threads`` at once, against the Web API."""

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
        threads: int = 8,
        on_failure: Callable[[str, str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.slack = SlackSide(client)
        self.hooks = hooks or Hooks()
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.retry_base = retry_base_seconds
        self.threads = threads
        # the longest a Slack call can be under way: the client gives up after its timeout
        self.call_limit = timedelta(seconds=float(client.timeout or 30) + 5)
        self.worker_id = f"delivery-{uuid.uuid4().hex[:8]}"
        self.stats = DeliveryStats()
        self.on_failure = on_failure
        self.channel_slots = ChannelSlots()
        self._in_hand: dict[int, Claim] = {}
        self._lost: set[int] = set()  # jobs in hand whose claim the heartbeat found lost
        self._hand_lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._loops: list[threading.Thread] = []

    # ---- the loops ----------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=self.worker_id)
        self._loops = [
            threading.Thread(target=self._dispatch, name=f"{self.worker_id}-claims", daemon=True),
            threading.Thread(target=self._heartbeat, name=f"{self.worker_id}-lease", daemon=True),
        ]
        for loop in self._loops:
            loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the steps in hand, then stop; unsent jobs stay in the outbox for next time."""
        self._stop.set()
        self._wake.set()
        for loop in self._loops:
            loop.join(timeout)
        if self._pool is not None:
            wait_for_all(self._futures.copy(), timeout=timeout)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._loops = []

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wake(self) -> None:
        """Look for work now instead of at the next poll (called after a service commits)."""
        self._wake.set()

    def in_hand(self) -> int:
        """How many jobs this worker holds right now."""
        with self._hand_lock:
            return len(self._in_hand)

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            started = 0
            try:
                started = self._claim_and_start()
            except Exception:
                log.exception("claiming outbox jobs failed; retrying")
            if started == 0:
                self._wake.wait(self.poll_seconds)

    def _claim_and_start(self) -> int:
        assert self._pool is not None
        with self._hand_lock:
            held = list(self._in_hand)
        got = claims.claim(
            self.engine,
            self.clock(),
            lease=self.lease,
            worker_id=self.worker_id,
            limit=self.threads - len(held),
            skip=held,
        )
        for claim in got:
            with self._hand_lock:
                self._in_hand[claim.job_id] = claim
            future = self._pool.submit(self._run, claim)
            self._futures.add(future)
            future.add_done_callback(self._futures.discard)
        return len(got)

    def _run(self, claim: Claim) -> None:
        try:
            JobRun(self, claim).run()
        except LostClaim:
            self.stats.count("lost")
            log.warning(
                "outbox job %s was taken from this worker (claimed by another after the lease "
                "ran out, or retried or dropped by an operator); this worker leaves it",
                claim.job_id,
            )
        except Exception:
            log.exception("outbox job %s: delivery pass failed; it will be retried", claim.job_id)
        finally:
            with self._hand_lock:
                self._in_hand.pop(claim.job_id, None)
                self._lost.discard(claim.job_id)
            self._wake.set()

    def _heartbeat(self) -> None:
        """Renew the lease of every job in hand, four times per lease."""
        interval = self.lease.total_seconds() / 4
        while not self._stop.wait(interval):
            with self._hand_lock:
                held = [c for c in self._in_hand.values() if c.job_id not in self._lost]
            if not held:
                continue
            try:
                lost = claims.renew(self.engine, held, until=self.clock() + self.lease)
            except Exception:
                log.exception("renewing outbox leases failed; retrying")
                continue
            for claim in lost:
                log.warning("outbox job %s: this worker's claim was lost", claim.job_id)
                with self._hand_lock:
                    self._lost.add(claim.job_id)
