"""200 rituals due in the same minute: time until every check-in message is posted.

opsbot runs in this process (LiveBot: HTTP server, Bolt, scheduler, delivery worker) against the
Slack stand-in, which enforces one message per second per channel (429 with Retry-After past
it). Half the rituals share one channel, the rest have a channel each, all due at the same
minute. The clock starts at the scheduled minute and stops when the stand-in holds the last
check-in message; the least time Slack's pace allows is one second per message in the shared
channel (100 s for 200 rituals). Target: at most 1.2 times that.

    python benchmarks/rituals_due.py [--rituals 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opsbot.config import Config, parse_config
from opsbot.db import make_engine, transaction, upgrade
from opsbot.rituals import store
from opsbot.testing import FakeSlack
from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET, LiveBot

LEAD_SECONDS = 20  # start opsbot at least this long before the minute everything is due


def config_text(count: int, due: datetime, owner: str) -> str:
    lines = ["rituals:"]
    for n in range(count):
        channel = "shared" if n < count // 2 else f"own-{n:03d}"
        lines += [
            f"  - key: bench-{n:03d}",
            f'    schedule: {{cron: "{due.minute} {due.hour} * * *", timezone: UTC}}',
            f"    channel: {channel}",
            f"    owners: [{owner}]",
            "    window_minutes: 600",
            "    remind_after_minutes: [500]",
            "    grace_minutes: 30",
            '    questions: ["Anything to decide?"]',
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rituals", type=int, default=200, help="how many are due (default 200)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--catch-up",
        action="store_true",
        help="the rituals fell due at the start of this minute while opsbot was down (it last "
        "looked a minute before): they are posted late on start, with no wait for the next "
        "minute (a quick smoke run of the same delivery path)",
    )
    args = parser.parse_args()
    count, shared = args.rituals, args.rituals // 2
    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    slack.pace(enabled=True)
    for name in ["shared", *(f"own-{n:03d}" for n in range(shared, count))]:
        slack.add_channel(name)
    owner = slack.person("alice").id
    now = datetime.now(UTC)
    due = (now + timedelta(seconds=0 if args.catch_up else LEAD_SECONDS + 60)).replace(
        second=0, microsecond=0
    )
    config = parse_config(config_text(count, due, owner))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if args.catch_up:
            last_looked(url, config, due - timedelta(minutes=1))
        bot = LiveBot(slack, url, config=config).start()
        try:
            print(
                f"{count} rituals due at {due:%H:%M:%S} UTC; waiting "
                f"{(due - datetime.now(UTC)).total_seconds():.0f} s",
                file=sys.stderr,
            )
            posted = wait_for_all(slack, count, due, timeout=shared * 3 + 120)
        finally:
            bot.stop()
            slack.stop()
    last = max(posted)
    elapsed = (last - due).total_seconds()
    least = float(shared)
    own_done = max(posted[shared:] or [due])
    throttled = len([c for c in slack.calls("chat.postMessage") if c.status == 429])
    print(
        f"rituals due: {count} ({shared} in one channel, {count - shared} in their own), "
        f"{url.split(':', 1)[0]}, Python {platform.python_version()}, {platform.machine()}, "
        f"{platform.processor() or 'cpu'}"
    )
    print(
        f"all posted after {elapsed:.1f} s; least the pace allows {least:.0f} s; "
        f"ratio {elapsed / least:.3f} (target <= 1.2)"
    )
    print(
        f"first post {(min(posted) - due).total_seconds():.2f} s after the minute; "
        f"own-channel rituals all posted after {(own_done - due).total_seconds():.2f} s; "
        f"429 answers from the stand-in: {throttled}"
    )
    return 0 if elapsed / least <= 1.2 else 1


def last_looked(url: str, config: Config, at: datetime) -> None:
    """Record that opsbot last scanned every ritual at ``at`` (as if it went down then)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with transaction(engine) as session:
            for ritual in config.rituals:
                store.state(session, key=ritual.key).last_scanned_at = at
    finally:
        engine.dispose()


def wait_for_all(slack: FakeSlack, count: int, due: datetime, timeout: float) -> list[datetime]:
    """When each ritual's check-in message landed (shared channel first, in ritual order)."""
    deadline = time.monotonic() + (due - datetime.now(UTC)).total_seconds() + timeout
    shared = count // 2
    while True:
        found = [m for m in slack.messages("shared") if m.user is None]
        own = [
            m
            for n in range(shared, count)
            for m in slack.messages(f"own-{n:03d}")
            if m.user is None
        ]
        if len(found) + len(own) >= count:
            return [datetime.fromtimestamp(float(m.ts), UTC) for m in found + own]
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(found) + len(own)} of {count} posted in time")
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
