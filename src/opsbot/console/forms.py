"""Filling a modal field by field at the console, then submitting it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from opsbot.console import news
from opsbot.console.buttons import Surface

_CHOICES = ("static_select", "radio_buttons", "checkboxes", "multi_static_select")
_SHORT_DEFAULT = 50  # longer defaults are shown whole on lines of their own


def fill_modal(console: Any, view: dict[str, Any]) -> None:
    """Ask for each input of ``view``; `cancel` closes it. Errors from the bot are asked again."""
    title = view.get("title", {}).get("text", "")
    console.say(f"┌─ {console.render.text(title)} (modal; type `cancel` to close it)")
    number = console.numbering(Surface("view", console.me.id, view_id=view["id"]))
    for line in console.render.blocks(
        [b for b in view.get("blocks", []) if b.get("type") != "input"], number
    ):
        console.say("│ " + line)
    errors: dict[str, str] = {}
    while True:
        values: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            if errors and block.get("block_id") not in errors:
                continue
            if block.get("block_id") in errors:
                console.say(f"│ ! {errors[block['block_id']]}")
            answer = _ask_input(console, block)
            if answer == "cancel":
                console.me.close_view()
                console.say("└─ closed")
                return
            if answer is not None:
                values[block.get("block_id") or block["label"]["text"]] = answer
        before = console.slack.bot_version
        response = console.me.submit({**_previous(view, errors), **values})
        body = response.json if isinstance(response.json, dict) else {}
        if body.get("response_action") == "errors":
            errors = dict(body.get("errors") or {})
            console.say("│ The bot refused some answers; try those again.")
            inputs = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
            if not set(errors) & inputs:  # nothing to point at: show them and ask everything again
                for problem in errors.values():
                    console.say(f"│ ! {problem}")
                errors = {}
            view["_previous"] = {**view.get("_previous", {}), **values}
            continue
        console.say("└─ submitted")
        news.settle(console, before)
        return


def _previous(view: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    previous = dict(view.get("_previous", {}))
    return {k: v for k, v in previous.items() if k not in errors}


def _ask_input(console: Any, block: dict[str, Any]) -> Any:
    element = block.get("element", {})
    kind = element.get("type")
    label = console.render.text(block.get("label", {}).get("text", ""))
    optional = bool(block.get("optional"))
    hint = block.get("hint", {}).get("text") if block.get("hint") else None
    options = element.get("options") or []
    if kind in _CHOICES:
        for number, option in enumerate(options, 1):
            console.say(f"│   {number}. {option['text']['text']}")
    initial = _initial(console, element)
    suffix = " (optional)" if optional else ""
    if "\n" in initial or len(initial) > _SHORT_DEFAULT:
        console.say("│   Filled in already (press Enter to keep it):")
        for line in initial.splitlines():
            console.say(f"│     {line}")
        suffix += " [Enter keeps the text above]"
    elif initial:
        suffix += f" [{initial}]"
    elif isinstance(element.get("placeholder"), dict):
        suffix += f" ‹{console.render.text(str(element['placeholder'].get('text', '')))}›"
    if kind == "users_select":
        suffix += " (a name like bob; `people` lists them)"
    if kind == "datepicker":
        suffix += " (YYYY-MM-DD)"
    if element.get("multiline"):
        suffix += " (one line; type \\n for a line break)"
    if hint:
        console.say(f"│   {console.render.text(hint)}")
    while True:
        answer = console.ask(f"│ {label}{suffix}: ")
        if answer is None or answer.strip().lower() == "cancel":
            return "cancel"
        answer = answer.strip()
        if _is_slash_command(console, answer):
            console.say(
                "│   A modal is open, so that is not sent as a command. Answer the field, or "
                "type `cancel` to close the modal first."
            )
            continue
        if answer == "people" and kind in ("users_select", "multi_users_select"):
            console.say("│   " + ", ".join(f"@{u.name}" for u in console.slack.people()))
            continue
        if not answer:
            if initial:
                return None  # the stand-in keeps the initial value
            if optional:
                return None
            console.say("│   This one is required.")
            continue
        if element.get("multiline"):
            answer = answer.replace("\\n", "\n")
        try:
            return _convert(console, kind, answer, options)
        except _Unknown as problem:
            console.say(f"│   {problem}")


def _is_slash_command(console: Any, answer: str) -> bool:
    from opsbot.console.session import COMMANDS

    word = answer.split(maxsplit=1)[0] if answer else ""
    return word in COMMANDS


def _initial(console: Any, element: dict[str, Any]) -> str:
    if element.get("initial_value"):
        return str(element["initial_value"])
    if element.get("initial_option"):
        return str(element["initial_option"]["text"]["text"])
    if element.get("initial_date"):
        return str(element["initial_date"])
    if element.get("initial_user"):
        return "@" + console.user_name(str(element["initial_user"]))
    return ""


def _convert(console: Any, kind: str | None, answer: str, options: list[dict[str, Any]]) -> Any:
    if kind in ("static_select", "radio_buttons"):
        return _option(answer, options)
    if kind in ("checkboxes", "multi_static_select"):
        return [_option(part.strip(), options) for part in answer.split(",") if part.strip()]
    if kind == "users_select":
        return _user(console, answer)
    if kind == "multi_users_select":
        return [_user(console, p) for p in answer.split(",") if p.strip()]
    if kind == "datepicker":
        try:
            return date.fromisoformat(answer).isoformat()
        except ValueError:
            raise _Unknown("Slack's date picker gives a date: type it as YYYY-MM-DD.") from None
    if kind == "timepicker" and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", answer):
        raise _Unknown("Slack's time picker gives a time: type it as HH:MM (24-hour).")
    return answer


class _Unknown(ValueError):
    """An answer the Slack client would not let the person pick."""


def _option(answer: str, options: list[dict[str, Any]]) -> str:
    """The label of the option picked by its number or its label."""
    labels = [str(o["text"]["text"]) for o in options]
    if answer.isdigit() and 0 < int(answer) <= len(labels):
        return labels[int(answer) - 1]
    for label in labels:
        if answer.lower() == label.lower():
            return label
    raise _Unknown(f"Pick one of the options by its number, 1 to {len(labels)}.")


def _user(console: Any, name: str) -> str:
    """The id of the person called ``name``: Slack's picker offers only people who exist."""
    name = name.strip().lstrip("@")
    user = console.slack.ws.find_user(name)
    if user is None or user.is_bot:
        raise _Unknown(f"There is nobody called @{name}; type `people` to list who exists.")
    return str(user.id)


__all__ = ["fill_modal"]
