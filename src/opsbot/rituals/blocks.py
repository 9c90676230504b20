"""Block Kit for ritual messages: the check-in message, reminders, the summary, decision lists.

Pure functions of records; every piece of user or configuration text is escaped here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from opsbot.config import Ritual
from opsbot.rituals.model import DecisionStatus
from opsbot.rituals.store import MISSED, POSTED, SKIPPED, CheckIn, Decision, Occurrence
from opsbot.slack import blocks as kit
from opsbot.slack.blocks import Blocks, button, context, section
from opsbot.slack.mrkdwn import escape, truncate

CHECK_IN, RECORD_DECISION, SKIP, DONE = (
    "ritual_checkin",
    "ritual_decision",
    "ritual_skip",
    "ritual_decision_done",
)


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


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


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
    who = people([c.user_id for c in checkins]) or "nobody yet"
    status_line = f"Checked in: {who}"
    if decisions:
        status_line += f" · decisions recorded: {len(decisions)}"
    blocks.append(context(status_line))
    if occ.status == POSTED:
        value = str(occ.id)
        blocks.append(
            kit.actions(
                [
                    button("Check in", CHECK_IN, value, "primary"),
                    button("Record decision", RECORD_DECISION, value),
                    button("Skip", SKIP, value),
                ],
                block_id="ritual_actions",
            )
        )
    else:
        blocks.append(context(_ended(occ, zone)))
    return blocks[: kit.MESSAGE_BLOCKS]


def _ended(occ: Occurrence, zone: ZoneInfo) -> str:
    if occ.status == SKIPPED:
        by = f" by <@{occ.skipped_by}>" if occ.skipped_by else ""
        reason = f": {escape(occ.skip_reason)}" if occ.skip_reason else ""
        return f":fast_forward: Skipped{by}{reason}"
    if occ.status == MISSED:
        return ":warning: Closed with nobody checked in; recorded as missed."
    closed = when(occ.closed_at, zone) if occ.closed_at else ""
    return f":white_check_mark: Closed {closed}; the summary is in the thread."


# ---- reminders ----------------------------------------------------------------------------------
def checkin_reminder(ritual: Ritual, occ: Occurrence, missing: list[str]) -> str:
    closes = f" before it closes at {when(occ.closes_at, zone_of(ritual))}" if occ.closes_at else ""
    return (
        f"{people(missing)}: a reminder to check in to *{escape(ritual.name)}*{closes}. "
        "Press *Check in* on the message above."
    )


def decision_reminder(decision: Decision, ritual_name: str, *, overdue: bool) -> tuple[str, Blocks]:
    if overdue:
        head = f":alarm_clock: This decision was due {day(decision.due)} and is still open"
    else:
        head = f":hourglass: This decision is due {day(decision.due)}"
    text = f"{head} ({escape(ritual_name)}): {truncate(escape(decision.text), 2000)}"
    done = button("Done", DONE, f"{decision.id}|dm", "primary")
    return text, [section(text), kit.actions([done], block_id=f"decision_{decision.id}")]


# ---- the summary ------------------------------------------------------------------------------
def summary(
    ritual: Ritual, occ: Occurrence, checkins: list[CheckIn], decisions: list[Decision]
) -> tuple[str, Blocks]:
    """The closing summary: who took part, their answers, the decisions; or that nobody came."""
    zone = zone_of(ritual)
    title = f"Summary of {escape(ritual.name)}, {when(occ.scheduled_at, zone)}"
    if occ.status == MISSED:
        text = f"{title}: nobody checked in, so this occurrence is recorded as missed."
        return text, [
            section(
                f"*{title}*\nNobody checked in, so this occurrence is recorded as "
                "missed. The next triage lists it."
            )
        ]
    took_part = list(
        dict.fromkeys([c.user_id for c in checkins] + [d.created_by for d in decisions])
    )
    blocks: Blocks = [section(f"*{title}*\nTook part: {people(took_part)}")]
    for checkin in checkins:
        answered = [a for a in checkin.answers if a.get("answer")]
        body = "\n".join(f"*{escape(a['question'])}*\n{escape(a['answer'])}" for a in answered)
        blocks.append(section(f"<@{checkin.user_id}> answered:\n{body or '_no answers_'}"))
    if decisions:
        listed = [decision_line(d) for d in decisions]
        blocks.append(section(kit.lines(["*Decisions*", *listed], kit.SECTION_TEXT)))
    else:
        blocks.append(section("*Decisions*\n_No decisions were recorded._"))
    if len(blocks) > kit.MESSAGE_BLOCKS:
        blocks = [
            *blocks[: kit.MESSAGE_BLOCKS - 2],
            context("_More answers than fit here._"),
            blocks[-1],
        ]
    text = f"{title}: {len(checkins)} check-in(s), {len(decisions)} decision(s)."
    return text, blocks


def decision_line(decision: Decision) -> str:
    return (
        f"• {truncate(escape(decision.text), 500)}: owner <@{decision.owner}>, due "
        f"{day(decision.due)}"
    )


def checkin_post(ritual: Ritual, checkin: CheckIn, *, again: bool) -> tuple[str, Blocks]:
    """The answers as posted in the occurrence's thread."""
    head = f"<@{checkin.user_id}> {'updated their check-in' if again else 'checked in'}"
    answered = [a for a in checkin.answers if a.get("answer")]
    body = "\n".join(f"*{escape(a['question'])}*\n{escape(a['answer'])}" for a in answered)
    text = f"{head} to {escape(ritual.name)}."
    return text, [section(f"{head}:\n{body}")]


def decision_post(decision: Decision) -> str:
    return (
        f"<@{decision.created_by}> recorded a decision: {truncate(escape(decision.text), 2500)}"
        f"\nOwner <@{decision.owner}>, due {day(decision.due)}."
    )


# ---- decision lists -------------------------------------------------------------------------
def decisions_list(
    decisions: list[Decision], *, scope: str, today: date, names: dict[str, str]
) -> tuple[str, Blocks]:
    """`/ritual decisions`: each decision with owner, due date and a Done button while open."""
    title = "Open decisions" if scope == "open" else "All decisions"
    if not decisions:
        text = f"*{title}*: none recorded yet." if scope == "all" else f"*{title}*: none."
        return text, [section(text)]
    blocks: Blocks = [section(f"*{title}* ({len(decisions)})")]
    for decision in decisions[: kit.MESSAGE_BLOCKS - 2]:
        blocks.append(decision_item(decision, today=today, names=names, source=scope))
    if len(decisions) > kit.MESSAGE_BLOCKS - 2:
        blocks.append(context(f"…and {len(decisions) - (kit.MESSAGE_BLOCKS - 2)} more."))
    return f"{title}: {len(decisions)}", blocks


def decision_item(
    decision: Decision, *, today: date, names: dict[str, str], source: str
) -> dict[str, Any]:
    ritual = escape(names.get(decision.ritual_key, decision.ritual_key))
    if decision.status == DecisionStatus.DONE:
        state = f"done {decision.done_at:%d %b}" if decision.done_at else "done"
    elif decision.due < today:
        state = "*overdue*"
    else:
        state = "open"
    text = (
        f"{truncate(escape(decision.text), 1500)}\nOwner <@{decision.owner}> · due "
        f"{day(decision.due)} · {state} · {ritual}"
    )
    if decision.status == DecisionStatus.DONE:
        return section(text)
    return section(text, accessory=button("Done", DONE, f"{decision.id}|{source}"))


def decision_done_text(decision: Decision) -> str:
    return (
        f":white_check_mark: <@{decision.done_by}> marked a decision done: "
        f"{truncate(escape(decision.text), 2500)}"
    )
