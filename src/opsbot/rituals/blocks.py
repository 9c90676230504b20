"""Block Kit for ritual messages: the check-in message, its thread posts, reminders and the
summary (decisions: ``decision_blocks``).

Pure functions of records; every piece of user or configuration text is escaped here.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from opsbot.config import Ritual
from opsbot.rituals.decision_blocks import day, line
from opsbot.rituals.model import DecisionStatus, missing_outputs
from opsbot.rituals.store import MISSED, POSTED, SKIPPED, CheckIn, Decision, Occurrence
from opsbot.slack import blocks as kit
from opsbot.slack.blocks import Blocks, button, context, section
from opsbot.slack.mrkdwn import escape

CHECK_IN, RECORD_DECISION, SKIP, CLOSE_NOW = (
    "ritual_checkin",
    "ritual_decision",
    "ritual_skip",
    "ritual_close_now",
)
__all__ = ["day"]


def channel_of(ritual: Ritual) -> str:
    """The ritual's channel (the configuration fills in channels.ops when none is given)."""
    assert ritual.channel is not None
    return ritual.channel


def zone_of(ritual: Ritual) -> ZoneInfo:
    return ZoneInfo(ritual.schedule.timezone or "UTC")


def when(moment: datetime, zone: ZoneInfo, *, year: bool = False) -> str:
    """A time as people there read it: ``Mon 30 Mar 09:00 BST``."""
    local = moment.astimezone(zone)
    return local.strftime("%a %d %b %Y %H:%M %Z" if year else "%a %d %b %H:%M %Z")


def zone_words(moment: datetime, zone: ZoneInfo) -> str:
    """The zone after a time, when its abbreviation does not already say it: ``" (Europe/
    London)"`` after ``09:00 BST``, nothing after ``09:00 UTC``."""
    name = str(zone.key) if hasattr(zone, "key") else str(zone)
    return "" if moment.astimezone(zone).strftime("%Z") == name else f" ({name})"


def people(user_ids: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in user_ids)


# ---- the check-in message -------------------------------------------------------------------
def occurrence_text(ritual: Ritual, occ: Occurrence) -> str:
    return (
        f"{escape(ritual.name)}: {when(occ.scheduled_at, zone_of(ritual))}. "
        "Check in with your answers."
    )


def occurrence_blocks(
    ritual: Ritual, occ: Occurrence, checkins: list[CheckIn], decisions: list[Decision]
) -> Blocks:
    """The interactive check-in message, as it should look now."""
    zone = zone_of(ritual)
    facts = [when(occ.scheduled_at, zone, year=True)]
    if occ.owners:
        facts.append(f"owners: {people(occ.owners)}")
    if occ.closes_at and occ.status == POSTED:
        facts.append(f"closes {when(occ.closes_at, zone)}")
    if occ.started_by:
        facts.append(f"started by <@{occ.started_by}>")
    if occ.late:
        facts.append("posted late: opsbot was not running at the scheduled time")
    blocks: Blocks = [
        kit.header(ritual.name),
        context(" · ".join(facts)),
    ]
    for part in occ.context:
        lines = [f"• {line}" for line in part.get("lines") or []] or [f"_{part.get('empty')}_"]
        blocks.append(
            section(kit.lines([f"*{escape(part.get('title', ''))}*", *lines], kit.SECTION_TEXT))
        )
    questions = "\n".join(f"{i}. {escape(q)}" for i, q in enumerate(ritual.questions, 1))
    blocks.append(section(f"*Questions*\n{questions}"))
    if ritual.decision_outputs:
        outputs = "\n".join(f"• {escape(o)}" for o in ritual.decision_outputs)
        blocks.append(section(f"*Decisions to come out of it*\n{outputs}"))
    blocks.append(context(status_line(occ, checkins, decisions)))
    if occ.status == POSTED:
        value = str(occ.id)
        blocks.append(
            kit.actions(
                [
                    button("Check in", CHECK_IN, value, "primary"),
                    button("Record decision", RECORD_DECISION, value),
                    button("Skip", SKIP, value),
                    button("Close now", CLOSE_NOW, value),
                ],
                block_id="ritual_actions",
            )
        )
        blocks.append(
            context(
                "Answers and decisions are posted in the thread as they come; "
                "owners may close it now."
            )
        )
    else:
        blocks.append(context(_ended(occ, zone)))
    return blocks[: kit.MESSAGE_BLOCKS]


def status_line(occ: Occurrence, checkins: list[CheckIn], decisions: list[Decision]) -> str:
    """Who checked in, who has not yet, and the decisions recorded so far."""
    checked = [c.user_id for c in checkins]
    parts = [f"Checked in: {people(checked) or 'nobody yet'}"]
    waiting = [u for u in occ.owners if u not in checked]
    if waiting and occ.status == POSTED:
        parts.append(f"waiting for {people(waiting)}")
    if decisions:
        still_open = sum(d.status == DecisionStatus.OPEN for d in decisions)
        parts.append(f"decisions recorded: {len(decisions)} ({still_open} open)")
    return " · ".join(parts)


def _ended(occ: Occurrence, zone: ZoneInfo) -> str:
    if occ.status == SKIPPED:
        by = f" by <@{occ.skipped_by}>" if occ.skipped_by else ""
        reason = f": {escape(occ.skip_reason)}" if occ.skip_reason else ""
        return f":fast_forward: Skipped{by}{reason}"
    if occ.status == MISSED:
        return ":warning: Closed with nobody checked in; recorded as missed."
    closed = when(occ.closed_at, zone) if occ.closed_at else ""
    by = f" by <@{occ.closed_by}>" if occ.closed_by else ""
    return f":white_check_mark: Closed{by} {closed}; the summary is in the thread."


# ---- reminders ----------------------------------------------------------------------------------
def checkin_reminder(ritual: Ritual, occ: Occurrence, missing: list[str]) -> str:
    closes = f" before it closes at {when(occ.closes_at, zone_of(ritual))}" if occ.closes_at else ""
    return (
        f"{people(missing)}: a reminder to check in to *{escape(ritual.name)}*{closes}. "
        "Press *Check in* on the message above."
    )


# ---- the summary ------------------------------------------------------------------------------
def summary(
    ritual: Ritual, occ: Occurrence, checkins: list[CheckIn], decisions: list[Decision]
) -> tuple[str, Blocks]:
    """The closing summary: who took part and who did not check in, their answers, the
    decisions and the expected decisions not recorded; or that nobody came."""
    zone = zone_of(ritual)
    title = f"Summary of {escape(ritual.name)}, {when(occ.scheduled_at, zone)}"
    if occ.closed_by:
        title += f" (closed early by <@{occ.closed_by}>)"
    checked = [c.user_id for c in checkins]
    absent = [u for u in occ.owners if u not in checked]
    if occ.status == MISSED:
        text = f"{title}: nobody checked in, so this occurrence is recorded as missed."
        owners_line = f"\nOwners who did not check in: {people(absent)}." if absent else ""
        return text, [
            section(
                f"*{title}*\nNobody checked in, so this occurrence is recorded as "
                f"missed. The next triage lists it.{owners_line}"
            )
        ]
    took_part = list(dict.fromkeys(checked + [d.created_by for d in decisions]))
    head = f"*{title}*\nTook part: {people(took_part)}"
    head += f"\nDid not check in: {people(absent)}" if absent else "\nEvery owner checked in."
    blocks: Blocks = [section(head)]
    for checkin in checkins:
        answered = [a for a in checkin.answers if a.get("answer")]
        body = "\n".join(f"*{escape(a['question'])}*\n{escape(a['answer'])}" for a in answered)
        blocks.append(section(f"<@{checkin.user_id}> answered:\n{body or '_no answers_'}"))
    tail = [_decisions_section(decisions)]
    missing = missing_outputs(ritual.decision_outputs, [d.output for d in decisions])
    if missing:
        listed = [f"• {escape(o)}" for o in missing]
        tail.append(
            section(kit.lines(["*Expected decisions not recorded*", *listed], kit.SECTION_TEXT))
        )
    if len(blocks) + len(tail) > kit.MESSAGE_BLOCKS:
        keep = kit.MESSAGE_BLOCKS - len(tail) - 1
        blocks = [*blocks[:keep], context("_More answers than fit here; each is in the thread._")]
    blocks += tail
    text = (
        f"{title}: {len(checkins)} check-in(s), {len(decisions)} decision(s)"
        + (f", {len(absent)} owner(s) did not check in" if absent else "")
        + (f", {len(missing)} expected decision(s) not recorded" if missing else "")
        + "."
    )
    return text, blocks


def _decisions_section(decisions: list[Decision]) -> dict[str, object]:
    if not decisions:
        return section("*Decisions*\n_No decisions were recorded._")
    return section(kit.lines(["*Decisions*", *[line(d) for d in decisions]], kit.SECTION_TEXT))


def checkin_post(ritual: Ritual, checkin: CheckIn, *, again: bool) -> tuple[str, Blocks]:
    """The answers as posted in the occurrence's thread."""
    head = f"<@{checkin.user_id}> {'updated their check-in' if again else 'checked in'}"
    answered = [a for a in checkin.answers if a.get("answer")]
    body = "\n".join(f"*{escape(a['question'])}*\n{escape(a['answer'])}" for a in answered)
    text = f"{head} to {escape(ritual.name)}."
    return text, [section(f"{head}:\n{body}")]
