"""Prometheus metrics of one opsbot process (its own registry: no global state)."""

from __future__ import annotations

import re
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
UNVERIFIED = "unverified"  # the kind of every request whose signature did not check out
# Every label value comes from a fixed set, never from a request: a client must not be able
# to grow the metrics (each new label value is a new series, kept for the process's life).
REQUEST_KINDS = frozenset(
    {
        "command",
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "url_verification",
        "event:app_home_opened",
        "event:reaction_added",
        "event:other",
        "other",
        UNVERIFIED,
    }
)
_SLACK_ERROR = re.compile(r"^[a-z][a-z0-9_]{0,59}$")  # Slack's error codes: not_in_channel…


class Metrics:
    """Requests by kind, ack latency, outbox depth and delivery failures."""

    def __init__(self, outbox_depth: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "opsbot_slack_requests_total",
            "Slack requests received, by kind",
            ["kind", "status"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "opsbot_slack_ack_seconds",
            "Time from receiving a Slack request to answering it",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.delivery_failures = Counter(
            "opsbot_delivery_failures_total",
            "Outbox jobs that ended with a permanent Slack error",
            ["kind", "error"],
            registry=self.registry,
        )
        depth = Gauge(
            "opsbot_outbox_depth", "Outbox jobs waiting to be sent", registry=self.registry
        )
        depth.set_function(outbox_depth)
        self.requests.labels(kind=UNVERIFIED, status="401")  # exists from the start

    def failure(self, kind: str, error: str) -> None:
        """Count a job that failed for good: its kind, and the Slack error it ended with."""
        code = error.rsplit(":", 1)[-1].strip()
        self.delivery_failures.labels(
            kind=kind, error=code if _SLACK_ERROR.match(code) else "other"
        ).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
