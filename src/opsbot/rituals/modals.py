"""The ritual modals (check in, record a decision, skip), what their submissions say, and the
App Home section. Pure functions: views in, plain values (or per-field errors) out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from opsbot.config import Ritual
from opsbot.errors import FieldErrors
from opsbot.rituals.blocks import (
    CHECK_IN,
    DONE,
    RECORD_DECISION,
    SKIP,
    day,
    when,
    zone_of,
)
from opsbot.rituals.store import Decision, Occurrence
from opsbot.slack import blocks as kit
from opsbot.slack.blocks import Blocks, button, context, section
from opsbot.slack.mrkdwn import escape, truncate

MAX_ANSWER = 3000


def _modal(
    callback_id: str, title: str, submit: str, occurrence_id: int | None, blocks: Blocks
) -> dict[str, Any]:
    return kit.modal(
        callback_id, title, blocks, submit=submit, private_metadata=str(occurrence_id or "")
    )


def _text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    optional: bool = False,
    multiline: bool = True,
) -> dict[str, Any]:
    return kit.text_input(
        block_id,
        label,
        multiline=multiline,
        optional=optional,
        initial=initial,
        max_length=MAX_ANSWER,
    )


def _heading(ritual: Ritual, occ: Occurrence) -> dict[str, Any]:
    return section(f"*{escape(ritual.name)}*, {when(occ.scheduled_at, zone_of(ritual))}")


# ---- check in ----------------------------------------------------------------------------------
def checkin_modal(ritual: Ritual, occ: Occurrence, previous: dict[str, str]) -> dict[str, Any]:
    """One optional answer per question; a second check-in starts from the first one's answers."""
    blocks: Blocks = [_heading(ritual, occ)]
    for index, question in enumerate(ritual.questions):
        blocks.append(
            _text_input(f"q{index}", question, initial=previous.get(question), optional=True)
        )
    return _modal(CHECK_IN, "Check in", "Check in", occ.id, blocks)


def checkin_answers(ritual: Ritual, values: dict[str, Any]) -> list[dict[str, str]]:
    """The answers submitted, in question order; at least one must be given."""
    answers = []
    for index, question in enumerate(ritual.questions):
        answer = (_value(values, f"q{index}") or "").strip()
        answers.append({"question": question, "answer": answer})
    if not any(a["answer"] for a in answers):
        raise FieldErrors({"q0": "Answer at least one question to check in."})
    return answers


# ---- record a decision -------------------------------------------------------------------------
def decision_modal(ritual: Ritual, occ: Occurrence, *, user_id: str, today: date) -> dict[str, Any]:
    blocks: Blocks = [_heading(ritual, occ)]
    if ritual.decision_outputs:
        blocks.append(context("Expected: " + "; ".join(escape(o) for o in ritual.decision_outputs)))
    blocks += [
        _text_input("decision", "Decision"),
        kit.input_block(
            "owner",
            "Owner",
            {"type": "users_select", "action_id": "value", "initial_user": user_id},
        ),
        kit.input_block(
            "due",
            "Due date",
            {
                "type": "datepicker",
                "action_id": "value",
                "initial_date": (today + timedelta(days=7)).isoformat(),
            },
        ),
    ]
    return _modal(RECORD_DECISION, "Record decision", "Record", occ.id, blocks)


def decision_values(values: dict[str, Any], *, today: date) -> tuple[str, str, date]:
    """(text, owner, due) from a submitted decision modal; a past date is refused."""
    errors: dict[str, str] = {}
    text = (_value(values, "decision") or "").strip()
    if not text:
        errors["decision"] = "Write what was decided."
    owner = _value(values, "owner", "selected_user") or ""
    if not owner:
        errors["owner"] = "Pick the person who owns this decision."
    raw_due = _value(values, "due", "selected_date") or ""
    due = today
    try:
        due = date.fromisoformat(raw_due)
    except ValueError:
        errors["due"] = "Pick a due date."
    else:
        if due < today:
            errors["due"] = f"Pick today ({day(today)}) or a later date."
    if errors:
        raise FieldErrors(errors)
    return text, owner, due


# ---- skip --------------------------------------------------------------------------------------
def skip_modal(ritual: Ritual, occ: Occurrence) -> dict[str, Any]:
    blocks: Blocks = [_heading(ritual, occ), _text_input("reason", "Reason for skipping")]
    return _modal(SKIP, "Skip this occurrence", "Skip", occ.id, blocks)


def skip_reason(values: dict[str, Any]) -> str:
    reason = (_value(values, "reason") or "").strip()
    if not reason:
        raise FieldErrors({"reason": "Say why this occurrence is skipped."})
    return reason


def _value(values: dict[str, Any], block_id: str, key: str = "value") -> str | None:
    found = (values.get(block_id) or {}).get("value") or {}
    value = found.get(key)
    return str(value) if value is not None else None


# ---- App Home ------------------------------------------------------------------------------------
def home_blocks(
    due: list[tuple[Ritual, Occurrence]],
    decisions: list[Decision],
    *,
    today: date,
    names: dict[str, str],
) -> Blocks:
    """The viewer's check-ins due and decisions due, with a button on each."""
    blocks: Blocks = [kit.header("Rituals")]
    if not due and not decisions:
        return [*blocks, context("No check-ins or decisions due from you.")]
    for ritual, occ in due[:10]:
        closes = f", closes {when(occ.closes_at, zone_of(ritual))}" if occ.closes_at else ""
        blocks.append(
            section(
                f"*Check-in due:* {escape(ritual.name)}, "
                f"{when(occ.scheduled_at, zone_of(ritual))}{closes}",
                accessory=button("Check in", CHECK_IN, str(occ.id), "primary"),
            )
        )
    for decision in decisions[:15]:
        late = " (*overdue*)" if decision.due < today else ""
        name = escape(names.get(decision.ritual_key, decision.ritual_key))
        blocks.append(
            section(
                f"*Decision due {day(decision.due)}*{late}: "
                f"{truncate(escape(decision.text), 1000)} · {name}",
                accessory=button("Done", DONE, f"{decision.id}|home"),
            )
        )
    return blocks
