"""`opsbot outbox`: the Slack work still waiting or failed, and retrying or dropping one job."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session

from opsbot.durations import duration
from opsbot.outbox import IN_FLIGHT, OutboxJob

HEADER = ("ID", "STATUS", "LANE", "KIND", "TRIES", "WAITING", "NEXT TRY", "LAST ERROR")
ERROR_WIDTH = 70


def _next_try(job: OutboxJob, now: datetime) -> str:
    if job.status == IN_FLIGHT:
        return "sending"
    if job.status != "pending":
        return "-"
    wait = (job.next_attempt_at - now).total_seconds()
    return "now" if wait <= 0 else f"in {duration(wait)}"


def _error(job: OutboxJob) -> str:
    text = " ".join((job.error or "-").split())
    return text if len(text) <= ERROR_WIDTH else text[: ERROR_WIDTH - 1] + "…"


def _row(job: OutboxJob, now: datetime) -> tuple[str, ...]:
    return (
        str(job.id),
        job.status,
        job.lane,
        job.kind,
        str(job.attempts),
        duration((now - job.created_at).total_seconds()),
        _next_try(job, now),
        _error(job),
    )


def _as_json(job: OutboxJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "lane": job.lane,
        "kind": job.kind,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "next_attempt_at": job.next_attempt_at.isoformat(),
        "error": job.error,
        "methods": [step["method"] for step in job.steps],
        "step": job.step_index,
    }


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def cmd_list(args: argparse.Namespace) -> int:
    from opsbot.delivery import stuck

    with _session() as (session, now):
        found = stuck.listing(session, failed_limit=None if args.all else 20)
        jobs = [*found.waiting, *found.failed]
        if args.json:
            json.dump([_as_json(j) for j in jobs], sys.stdout, indent=2)
            sys.stdout.write("\n")
            return 0
        if not jobs:
            print("Nothing is waiting or failed: every Slack message was sent.")
            return 0
        print(_table([HEADER, *(_row(j, now) for j in jobs)]))
        sending = sum(j.status == IN_FLIGHT for j in found.waiting)
        summary = (
            f"{len(found.waiting) - sending} waiting, {sending} being sent, "
            f"{found.failed_total} failed"
        )
        if found.failed_total > len(found.failed):
            summary += f" (the {len(found.failed)} newest shown; --all shows every one)"
        print(f"\n{summary}.")
        print(
            "`opsbot outbox retry ID` sends a job again now; "
            "`opsbot outbox drop ID` gives up on it."
        )
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from opsbot.delivery import stuck

    with _session() as (session, now):
        job = stuck.retry(session, args.job_id, now=now)
    print(f"Job {job.id} ({job.kind}, lane {job.lane}) will be sent again now.")
    return 0


def cmd_drop(args: argparse.Namespace) -> int:
    from opsbot.delivery import stuck

    with _session() as (session, now):
        job, was_sending = stuck.drop(session, args.job_id, now=now)
    print(f"Job {job.id} ({job.kind}, lane {job.lane}) is dropped: it will not be sent.")
    if was_sending:
        print("It was being sent at that moment: that one attempt may still reach Slack.")
    return 0


@contextlib.contextmanager
def _session() -> Iterator[tuple[Session, datetime]]:
    """One transaction on the configured database, with the time it is now."""
    from opsbot.clock import utcnow
    from opsbot.db import make_engine, transaction
    from opsbot.settings import load_settings

    engine = make_engine(load_settings().database_url)
    try:
        with transaction(engine) as session:
            yield session, utcnow()
    finally:
        engine.dispose()


def _job_id(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a job id; give the number from the ID column of `opsbot outbox`"
        )
    return int(text)


def add_outbox(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]  # generic only in typeshed
    """Adds `opsbot outbox [list|retry ID|drop ID]`."""
    outbox = sub.add_parser(
        "outbox",
        help="Slack work waiting or failed: list, retry, drop",
        description="Without a subcommand: list the jobs waiting to be sent and those that "
        "failed, with their last error.",
    )
    outbox.add_argument("--all", action="store_true", help="show every failed job")
    outbox.add_argument("--json", action="store_true", help="print the jobs as JSON")
    outbox.set_defaults(func=cmd_list)
    what = outbox.add_subparsers(dest="outbox_command")
    listing = what.add_parser("list", help="the jobs waiting or failed (the default)")
    listing.add_argument("--all", action="store_true", help="show every failed job")
    listing.add_argument("--json", action="store_true", help="print the jobs as JSON")
    listing.set_defaults(func=cmd_list)
    retry = what.add_parser("retry", help="send a failed, dropped or waiting job again now")
    retry.add_argument("job_id", type=_job_id, metavar="ID")
    retry.set_defaults(func=cmd_retry)
    drop = what.add_parser("drop", help="give up on a waiting or failed job")
    drop.add_argument("job_id", type=_job_id, metavar="ID")
    drop.set_defaults(func=cmd_drop)
