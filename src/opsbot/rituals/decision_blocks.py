"""Block Kit and text for decisions: thread notices, the owner's DMs, `/ritual decisions`, the
Done confirmation with Undo. Pure functions of records; user text is escaped here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from opsbot.rituals.model import DecisionClosers, DecisionStatus
from opsbot.rituals.store import Decision
from opsbot.slack import blocks as kit
from opsbot.slack.blocks import Blocks, button, context, section
from opsbot.slack.mrkdwn import escape, truncate

DONE, UNDO = "ritual_decision_done", "ritual_decision_undo"
UTC = ZoneInfo("UTC")


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def moment(value: datetime, zone: ZoneInfo = UTC) -> str:
    """When something happened, as people there read it: ``Tue 31 Mar 10:04 BST``."""
    return value.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def what(decision: Decision, limit: int = 2500) -> str:
    return truncate(escape(decision.text), limit)


def done_button(decision: Decision, source: str) -> dict[str, Any]:
    return button("Done", DONE, f"{decision.id}|{source}", "primary")


def undo_button(decision: Decision, source: str) -> dict[str, Any]:
    return button("Undo", UNDO, f"{decision.id}|{source}")


# ---- in the occurrence's thread -----------------------------------------------------------------
def recorded(decision: Decision) -> str:
    output = f"\nAnswers: {escape(decision.output)}" if decision.output else ""
    return (
        f"<@{decision.created_by}> recorded decision {decision.id}: {what(decision)}"
        f"\nOwner <@{decision.owner}>, due {day(decision.due)}.{output}"
    )


def marked_done(decision: Decision) -> str:
    by = f"<@{decision.done_by}>"
    return f":white_check_mark: {by} marked decision {decision.id} done: {what(decision)}"


def reopened(decision: Decision, by: str) -> str:
    return f":leftwards_arrow_with_hook: <@{by}> reopened decision {decision.id}: {what(decision)}"


# ---- the owner's direct messages -------------------------------------------------------------
def assigned(decision: Decision, ritual_name: str) -> tuple[str, Blocks]:
    """The DM telling the owner a decision is theirs, with Done."""
    who = "You" if decision.created_by == decision.owner else f"<@{decision.created_by}>"
    text = (
        f":inbox_tray: {who} recorded decision {decision.id} in *{escape(ritual_name)}* and you "
        f"own it, due {day(decision.due)}: {what(decision, 2000)}"
    )
    hint = f"Press Done, or type `/ritual done {decision.id}`, when it is done."
    return text, [
        section(text),
        context(hint),
        kit.actions([done_button(decision, "dm")], block_id=f"decision_{decision.id}"),
    ]


def reminder(decision: Decision, ritual_name: str, *, overdue: bool) -> tuple[str, Blocks]:
    if overdue:
        head = f":alarm_clock: Decision {decision.id} was due {day(decision.due)} and is still open"
    else:
        head = f":hourglass: Decision {decision.id} is due {day(decision.due)}"
    text = f"{head} ({escape(ritual_name)}): {what(decision, 2000)}"
    return text, [
        section(text),
        kit.actions([done_button(decision, "dm")], block_id=f"decision_{decision.id}"),
    ]


# ---- what the person who pressed Done (or Undo) sees ----------------------------------------
def confirmation(decision: Decision, source: str) -> Blocks:
    """ "Marked done", with Undo: the top of the reply that replaces what was clicked."""
    return [
        section(
            f":white_check_mark: You marked decision {decision.id} done: {what(decision, 2000)}",
            accessory=undo_button(decision, source),
        )
    ]


def undone(decision: Decision, source: str) -> Blocks:
    """After Undo: the decision is open again (with Done, where it came from a DM)."""
    text = (
        f":leftwards_arrow_with_hook: Decision {decision.id} is open again: {what(decision, 2000)}"
    )
    if source == "dm":
        return [section(text, accessory=done_button(decision, "dm"))]
    return [section(text)]


def not_allowed(decision: Decision, closers: DecisionClosers, ritual_name: str, doing: str) -> str:
    """Who may mark a decision done or reopen it, for the refusal."""
    parts = [f"<@{closers.owner}> (its owner)"]
    others = [u for u in closers.ritual_owners if u != closers.owner]
    if others:
        mentions = ", ".join(f"<@{u}>" for u in others)
        parts.append(f"the owners of {escape(ritual_name)} ({mentions})")
    if closers.admins:
        parts.append("admins (" + ", ".join(f"<@{u}>" for u in closers.admins) + ")")
    who = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Only {who} may {doing} decision {decision.id}."


# ---- `/ritual decisions` ----------------------------------------------------------------------
def decisions_list(
    decisions: list[Decision],
    *,
    scope: str,
    today: date,
    names: dict[str, str],
    zone: ZoneInfo = UTC,
) -> tuple[str, Blocks]:
    """Each decision by number with owner, due date, its state (who closed it and when) and
    a Done button while open."""
    title = "Open decisions" if scope == "open" else "All decisions"
    if not decisions:
        text = f"*{title}*: none recorded yet." if scope == "all" else f"*{title}*: none."
        return text, [section(text)]
    room = kit.MESSAGE_BLOCKS - 3  # the title, a confirmation above it, the count of the rest
    blocks: Blocks = [section(f"*{title}* ({len(decisions)})")]
    for decision in decisions[:room]:
        blocks.append(item(decision, today=today, names=names, source=scope, zone=zone))
    if len(decisions) > room:
        blocks.append(context(f"…and {len(decisions) - room} more."))
    return f"{title}: {len(decisions)}", blocks


def state_words(decision: Decision, *, today: date, zone: ZoneInfo = UTC) -> str:
    if decision.status == DecisionStatus.DONE:
        by = f" by <@{decision.done_by}>" if decision.done_by else ""
        at = f" {moment(decision.done_at, zone)}" if decision.done_at else ""
        return f"done{by}{at}"
    return "*overdue*" if decision.due < today else "open"


def item(
    decision: Decision,
    *,
    today: date,
    names: dict[str, str],
    source: str,
    zone: ZoneInfo = UTC,
) -> dict[str, Any]:
    ritual = escape(names.get(decision.ritual_key, decision.ritual_key))
    text = (
        f"*{decision.id}.* {what(decision, 1500)}\nOwner <@{decision.owner}> · due "
        f"{day(decision.due)} · {state_words(decision, today=today, zone=zone)} · {ritual}"
    )
    if decision.status == DecisionStatus.DONE:
        return section(text)
    return section(text, accessory=button("Done", DONE, f"{decision.id}|{source}"))


def line(decision: Decision) -> str:
    """One decision in a summary or a context list."""
    return (
        f"• {decision.id}. {truncate(escape(decision.text), 500)}: owner <@{decision.owner}>, "
        f"due {day(decision.due)}"
    )
