"""Skipping an occurrence (the open one, or the next before its time) and un-skipping it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import OpsError
from opsbot.rituals import blocks, occurrences, store
from opsbot.rituals.store import SKIPPED, Occurrence
from opsbot.schedules import next_occurrence
from opsbot.slack.mrkdwn import code, escape

LOOK_AHEAD = 20  # how many scheduled times `/ritual skip` and `/ritual list` look ahead


def skip_occurrence(
    session: Session,
    config: Config,
    *,
    occurrence_id: int,
    user_id: str,
    reason: str,
    now: datetime,
) -> Occurrence:
    """Skip an open occurrence: no reminders, no summary; the message says who and why."""
    occ = occurrences.open_occurrence(session, occurrence_id)
    ritual = config.ritual(occ.ritual_key)
    if not store.transition(
        session, occ, to=SKIPPED, skip_reason=reason, skipped_by=user_id, closed_at=now
    ):
        raise OpsError("This occurrence has just ended; nothing to skip.")
    occurrences.refresh_message(session, ritual, occ)
    return occ


def skip_next(
    session: Session, config: Config, *, key: str, user_id: str, reason: str | None, now: datetime
) -> Occurrence:
    """`/ritual skip`: the occurrence open now if there is one, else the next scheduled one
    not skipped yet (so skipping twice skips the two next)."""
    ritual = config.ritual(key)
    current = store.open_occurrences(session, ritual_key=key)
    if current:
        return skip_occurrence(
            session,
            config,
            occurrence_id=current[-1].id or 0,
            user_id=user_id,
            reason=reason or "",
            now=now,
        )
    after = now
    for _ in range(LOOK_AHEAD):
        at = next_occurrence(ritual.schedule, after)
        if at is None:
            break
        occ = store.claim_occurrence(
            session,
            **{
                **occurrences.base_values(ritual, at),
                "status": SKIPPED,
                "skip_reason": reason,
                "skipped_by": user_id,
                "closed_at": now,
            },
        )
        if occ is not None:
            why = f": {escape(reason)}" if reason else ""
            outbox.post(
                session,
                channel=blocks.channel_of(ritual),
                kind="ritual.skip",
                text=f"<@{user_id}> skipped the next {escape(ritual.name)} "
                f"({blocks.when(at, blocks.zone_of(ritual))}){why}. "
                f"`/ritual unskip {ritual.key}` brings it back.",
            )
            return occ
        after = at
    raise OpsError(f"{escape(ritual.name)} has no upcoming occurrence left to skip.")


def unskip(
    session: Session, config: Config, *, key: str, user_id: str, now: datetime
) -> Occurrence:
    """`/ritual unskip`: the occurrence skipped while open comes back if its window has not
    ended; else the soonest one skipped ahead of its time will be posted at its time."""
    ritual = config.ritual(key)
    zone = blocks.zone_of(ritual)
    recent = store.skipped_while_open(session, ritual_key=key, now=now)
    if recent is not None and not store.open_occurrences(session, ritual_key=key):
        if not store.unskip(session, recent):
            raise OpsError("That occurrence has just changed; look at its message.")
        occurrences.refresh_message(session, ritual, recent)
        outbox.post(
            session,
            channel=recent.channel,
            kind="ritual.unskip",
            text=f"<@{user_id}> un-skipped {escape(ritual.name)} "
            f"({blocks.when(recent.scheduled_at, zone)}): it is open again.",
            thread_key=occurrences.message_key(recent.id),
            reply_broadcast=True,
        )
        return recent
    ahead = store.skipped_ahead(session, ritual_key=key, after=now)
    if not ahead:
        raise OpsError(
            f"Nothing of {escape(ritual.name)} is skipped.",
            hint="Skip one with " + code(f"/ritual skip {key} [reason]") + ".",
        )
    occ = ahead[0]
    store.forget(session, occ)
    outbox.post(
        session,
        channel=blocks.channel_of(ritual),
        kind="ritual.unskip",
        text=f"<@{user_id}> un-skipped {escape(ritual.name)} of "
        f"{blocks.when(occ.scheduled_at, zone)}: it will be posted at its time.",
    )
    return occ
