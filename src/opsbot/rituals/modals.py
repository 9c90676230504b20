"""The ritual modals (check in, record a decision, skip), what their submissions say, and the
App Home section. Pure functions: views in, plain values (or per-field errors) out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from opsbot.config import Ritual
from opsbot.errors import FieldErrors
from opsbot.rituals.blocks import CHECK_IN, RECORD_DECISION, SKIP, when, zone_of
from opsbot.rituals.decision_blocks import DONE, day, undo_button
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
OTHER_OUTPUT = "other"


def decision_modal(ritual: Ritual, occ: Occurrence, *, user_id: str, today: date) -> dict[str, Any]:
    """The decision, the expected output it records (when the ritual names some), its owner
    (who gets a DM) and due date."""
    blocks: Blocks = [_heading(ritual, occ), _text_input("decision", "Decision")]
    if ritual.decision_outputs:
        choices = [(output, str(index)) for index, output in enumerate(ritual.decision_outputs)]
        blocks.append(
            kit.select(
                "output",
                "Which expected decision is it?",
                [*choices, ("Something else", OTHER_OUTPUT)],
            )
        )
    blocks += [
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


def decision_values(
    values: dict[str, Any], *, today: date, outputs: list[str] | None = None
) -> tuple[str, str, date, str | None]:
    """(text, owner, due, expected output or None) from a submitted decision modal; a past
    date is refused, and so is a missing choice of output where the ritual names some."""
    errors: dict[str, str] = {}
    text = (_value(values, "decision") or "").strip()
    if not text:
        errors["decision"] = "Write what was decided."
    output: str | None = None
    if outputs:
        choice = _option_value(values, "output")
        if choice is None:
            errors["output"] = "Pick the expected decision it records, or “Something else”."
        elif choice is not None and choice.isdigit() and int(choice) < len(outputs):
            output = outputs[int(choice)]
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
    return text, owner, due, output


# ---- skip --------------------------------------------------------------------------------------
def skip_modal(ritual: Ritual, occ: Occurrence) -> dict[str, Any]:
    blocks: Blocks = [_heading(ritual, occ), _text_input("reason", "Reason for skipping")]
    return _modal(SKIP, "Skip this occurrence", "Skip", occ.id, blocks)


def skip_reason(values: dict[str, Any]) -> str:
    reason = (_value(values, "reason") or "").strip()
    if not reason:
        raise FieldErrors({"reason": "Say why this occurrence is skipped."})
    return reason


def _option_value(values: dict[str, Any], block_id: str) -> str | None:
    found = ((values.get(block_id) or {}).get("value") or {}).get("selected_option") or {}
    value = found.get("value")
    return str(value) if value is not None else None


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
    just_done: list[Decision] | None = None,
) -> Blocks:
    """The viewer's check-ins due and decisions due, with a button on each; decisions they
    marked done a moment ago, with Undo."""
    blocks: Blocks = [kit.header("Rituals")]
    for decision in (just_done or [])[:5]:
        blocks.append(
            section(
                f":white_check_mark: You marked decision {decision.id} done: "
                f"{truncate(escape(decision.text), 1000)}",
                accessory=undo_button(decision, "home"),
            )
        )
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
                f"*Decision {decision.id} due {day(decision.due)}*{late}: "
                f"{truncate(escape(decision.text), 1000)} · {name}",
                accessory=button("Done", DONE, f"{decision.id}|home"),
            )
        )
    return blocks
