"""Decisions: recorded from an occurrence (its owner told by DM), listed, reminded to their
owner, marked done or reopened by the people who may."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import NotAllowed, NotFound, OpsError
from opsbot.rituals import blocks, occurrences, owners, store
from opsbot.rituals import decision_blocks as words
from opsbot.rituals.model import DecisionClosers
from opsbot.rituals.store import DONE, OPEN, POSTED, Decision

REMIND_AT = time(9, 0)  # local time of the ritual's zone at which decision reminders go out


def zone_for(config: Config, ritual_key: str) -> ZoneInfo:
    ritual = owners.ritual_for(config, ritual_key)
    return blocks.zone_of(ritual) if ritual else ZoneInfo(config.timezone)


def today(config: Config, ritual_key: str, now: datetime) -> date:
    """The date it is now where the ritual meets."""
    return now.astimezone(zone_for(config, ritual_key)).date()


def ritual_name(config: Config, ritual_key: str) -> str:
    ritual = owners.ritual_for(config, ritual_key)
    return ritual.name if ritual else ritual_key


def record_decision(
    session: Session,
    config: Config,
    *,
    occurrence_id: int,
    text: str,
    owner: str,
    due: date,
    by: str,
    now: datetime,
    output: str | None = None,
) -> Decision:
    """Store a decision of an open occurrence, announce it in the occurrence's thread and tell
    its owner by DM."""
    occ = occurrences.open_occurrence(session, occurrence_id)
    ritual = config.ritual(occ.ritual_key)
    if due < today(config, ritual.key, now):
        raise OpsError(f"The due date {words.day(due)} has passed; pick today or later.")
    if output is not None and output not in ritual.decision_outputs:
        raise OpsError("Pick one of the expected decisions, or “Something else”.")
    decision = Decision(
        occurrence_id=occ.id,
        ritual_key=occ.ritual_key,
        text=text,
        owner=owner,
        due=due,
        created_by=by,
        created_at=now,
        output=output,
    )
    session.add(decision)
    session.flush()
    outbox.post(
        session,
        channel=occ.channel,
        text=words.recorded(decision),
        thread_key=occurrences.message_key(occ.id),
        kind="ritual.decision",
    )
    dm_text, dm = words.assigned(decision, ritual.name)
    outbox.post(session, channel=owner, text=dm_text, blocks=dm, kind="ritual.decision_assigned")
    occurrences.refresh_message(session, ritual, occ)
    return decision


def record_outside(
    session: Session,
    config: Config,
    *,
    ritual_key: str,
    text: str,
    owner: str,
    due: date,
    by: str,
    now: datetime,
) -> Decision:
    """A decision taken outside a meeting (an experiment's ship-or-not call), filed under the
    ritual that reviews such calls: in its open occurrence's thread when one is open, else on
    its own. Either way it is listed, reminded, shown as overdue and told to its owner."""
    current = store.open_occurrences(session, ritual_key=ritual_key)
    if current:
        return record_decision(
            session, config, occurrence_id=current[-1].id or 0, text=text, owner=owner,
            due=due, by=by, now=now,
        )  # fmt: skip
    if due < today(config, ritual_key, now):
        raise OpsError(f"The due date {words.day(due)} has passed; pick today or later.")
    decision = Decision(
        ritual_key=ritual_key,
        text=text,
        owner=owner,
        due=due,
        created_by=by,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    dm_text, dm = words.assigned(decision, ritual_name(config, ritual_key))
    outbox.post(session, channel=owner, text=dm_text, blocks=dm, kind="ritual.decision_assigned")
    return decision


def closers(session: Session, config: Config, decision: Decision) -> DecisionClosers:
    """Who may mark ``decision`` done or reopen it now."""
    ritual = owners.ritual_for(config, decision.ritual_key)
    ritual_owners = owners.resolved(session, config, ritual) if ritual else []
    return DecisionClosers(decision.owner, ritual_owners, list(config.incidents.admins))


def _locked(session: Session, decision_id: int) -> Decision:
    decision = store.lock_decision(session, decision_id=decision_id)
    if decision is None:
        raise NotFound(
            f"There is no decision {decision_id}.",
            hint="`/ritual decisions all` lists them with their numbers.",
        )
    return decision


def _check_allowed(
    session: Session, config: Config, decision: Decision, user_id: str, doing: str
) -> None:
    allowed = closers(session, config, decision)
    if not allowed.allows(user_id):
        name = ritual_name(config, decision.ritual_key)
        raise NotAllowed(
            words.not_allowed(decision, allowed, name, doing),
            hint="Ask one of them, or ask its owner to close it.",
        )


def mark_done(
    session: Session, config: Config, *, decision_id: int, by: str, now: datetime
) -> Decision:
    """Mark a decision done: its owner, the ritual's owners and admins may; who did it and
    when is recorded and said in the occurrence's thread. Two at once: one transition."""
    decision = _locked(session, decision_id)
    _check_allowed(session, config, decision, by, "mark done")
    if decision.status == DONE or not store.set_decision_status(
        session, decision, to=DONE, by=by, at=now
    ):
        zone = zone_for(config, decision.ritual_key)
        at = f" ({words.moment(decision.done_at, zone)})" if decision.done_at else ""
        raise OpsError(
            f"Decision {decision.id} was already marked done by <@{decision.done_by}>{at}.",
            hint=f"`/ritual reopen {decision.id}` opens it again.",
        )
    _tell_thread(session, config, decision, words.marked_done(decision), "ritual.decision_done")
    return decision


def reopen(
    session: Session, config: Config, *, decision_id: int, by: str, now: datetime
) -> Decision:
    """Open a done decision again (Undo, or `/ritual reopen N`), by the people who may close it."""
    decision = _locked(session, decision_id)
    _check_allowed(session, config, decision, by, "reopen")
    if decision.status == OPEN or not store.set_decision_status(
        session, decision, to=OPEN, by=None, at=None
    ):
        raise OpsError(
            f"Decision {decision.id} is open already.",
            hint=f"`/ritual done {decision.id}` marks it done.",
        )
    _tell_thread(
        session, config, decision, words.reopened(decision, by), "ritual.decision_reopened"
    )
    return decision


def _tell_thread(
    session: Session, config: Config, decision: Decision, text: str, kind: str
) -> None:
    occ = store.occurrence(session, occurrence_id=decision.occurrence_id or 0)
    if occ is None:
        return
    outbox.post(
        session,
        channel=occ.channel,
        text=text,
        thread_key=occurrences.message_key(occ.id),
        kind=kind,
    )
    ritual = owners.ritual_for(config, occ.ritual_key)
    if ritual is not None and occ.status == POSTED:
        occurrences.refresh_message(session, ritual, occ)


def decision(session: Session, decision_id: int) -> Decision | None:
    return store.decision(session, decision_id=decision_id)


def listed(session: Session, *, scope: str) -> list[Decision]:
    """`/ritual decisions [open|all]`: open ones, or every one, earliest due first."""
    return store.decisions(session, status=OPEN if scope == "open" else None)


def due_for(session: Session, user_id: str) -> list[Decision]:
    """The open decisions a person owns."""
    return store.decisions(session, status=OPEN, owner=user_id)


def remind(session: Session, config: Config, now: datetime) -> int:
    """Remind owners the day before a decision is due and the day after it passed (once each)."""
    sent = 0
    for found in store.decisions(session, status=OPEN):
        zone = zone_for(config, found.ritual_key)
        before = datetime.combine(found.due - timedelta(days=1), REMIND_AT, zone)
        after = datetime.combine(found.due + timedelta(days=1), REMIND_AT, zone)
        if now >= after:
            stage, overdue = "after", True
        elif now >= before and found.created_at < before:
            stage, overdue = "before", False
        else:
            continue
        if not store.claim_reminder(session, key=f"decision:{found.id}:{stage}", now=now):
            continue
        text, dm = words.reminder(found, ritual_name(config, found.ritual_key), overdue=overdue)
        outbox.post(
            session, channel=found.owner, text=text, blocks=dm, kind="ritual.decision_reminder"
        )
        sent += 1
    return sent
