"""Prometheus metrics of one opsbot process (its own registry: no global state)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


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

    def failure(self, kind: str, error: str) -> None:
        self.delivery_failures.labels(kind=kind, error=error[:60]).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
