"""Time from `/incident declare` to the pinned control panel, against the Slack stand-in.

opsbot runs in this process (LiveBot: HTTP server, Bolt, delivery worker) against the stand-in
on loopback. Each declaration is typed by a person as Slack would send it; the clock stops when
the stand-in holds the pinned control panel in the new channel. Declarations are sequential,
so each one also competes with the announcements still queued behind Slack's one message per
second in #incidents.

    python benchmarks/incident_declare.py [--declarations 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from opsbot.config import parse_config
from opsbot.testing import FakeSlack, Person
from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET, LiveBot


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=200)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    for name in ("general", "incidents", "customer-comms", "ai-ops"):
        slack.add_channel(name)
    alice, bob, carol = (slack.person(n) for n in ("alice", "bob", "carol"))
    config = parse_config(
        f"team: {{product-ops-lead: [{bob.id}], governance-partner: [{carol.id}]}}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        bot = LiveBot(slack, url, config=config).start()
        try:
            times = [
                declare_once(slack, alice, n, ("sev1", "sev2", "sev3")[n % 3])
                for n in range(1, args.declarations + 1)
            ]
        finally:
            bot.stop()
            slack.stop()
    print(
        f"incident declare -> pinned control panel, {len(times)} declarations "
        f"({url.split(':', 1)[0]}, Python {platform.python_version()}, {platform.machine()})"
    )
    p50, p95 = (percentile(times, share) * 1000 for share in (0.50, 0.95))
    print(
        f"  p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {max(times) * 1000:.0f} ms   "
        f"mean {statistics.mean(times) * 1000:.0f} ms"
    )
    return 0


def declare_once(slack: FakeSlack, person: Person, number: int, severity: str) -> float:
    started = time.perf_counter()
    person.command(
        "/incident", f"declare {severity} Benchmark incident {number}", channel="general"
    )
    name = f"inc-{number}-benchmark-incident-{number}"

    def pinned() -> bool:
        channel = next((c for c in slack.channels() if c.name == name), None)
        return bool(channel and channel.pins)

    slack.wait_for(pinned, timeout=30, message=f"incident {number} was never pinned")
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
