"""Prometheus gauges of stuck Slack work, read from the outbox at each scrape.

Labelled by lane kind only (a fixed set), never by a lane's own id: the series stay bounded
however many incidents or occurrences there are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import Session

from opsbot.clock import Clock
from opsbot.delivery import stuck
from opsbot.outbox import LANE_KINDS, OTHER_LANES

log = logging.getLogger(__name__)
KINDS = (*LANE_KINDS, OTHER_LANES)


class OutboxGauges(Collector):
    """`opsbot_outbox_oldest_pending_seconds` and `opsbot_outbox_failed_jobs`, by lane kind."""

    def __init__(self, tx: Callable[[], AbstractContextManager[Session]], clock: Clock) -> None:
        self.tx = tx
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        nan = float("nan")
        try:
            with self.tx() as session:
                ages: dict[str, float] = stuck.oldest_waiting(session, self.clock())
                failed: dict[str, float] = {
                    k: float(v) for k, v in stuck.failed_by_kind(session).items()
                }
        except Exception:  # a scrape must not fail because the database is away
            log.warning("reading the outbox for /metrics failed", exc_info=True)
            ages, failed = dict.fromkeys(KINDS, nan), dict.fromkeys(KINDS, nan)
        oldest = GaugeMetricFamily(
            "opsbot_outbox_oldest_pending_seconds",
            "Seconds the oldest Slack job not yet sent has waited, by lane kind (0: none waits)",
            labels=["lane"],
        )
        stuck_jobs = GaugeMetricFamily(
            "opsbot_outbox_failed_jobs",
            "Slack jobs that failed for good and wait for an operator (opsbot outbox), "
            "by lane kind",
            labels=["lane"],
        )
        for kind in KINDS:
            oldest.add_metric([kind], ages.get(kind, 0.0))
            stuck_jobs.add_metric([kind], failed.get(kind, 0.0))
        yield oldest
        yield stuck_jobs
