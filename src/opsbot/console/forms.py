"""Filling a modal field by field at the console, then submitting it."""

from __future__ import annotations

from typing import Any

from opsbot.console.render import Button

_CHOICES = ("static_select", "radio_buttons", "checkboxes", "multi_static_select")


def fill_modal(console: Any, view: dict[str, Any]) -> None:
    """Ask for each input of ``view``; `cancel` closes it. Errors from the bot are asked again."""
    title = view.get("title", {}).get("text", "")
    console.say(f"┌─ {console.render.text(title)} (modal; type `cancel` to close it)")
    console.buttons = []
    for line in console.render.blocks(
        [b for b in view.get("blocks", []) if b.get("type") != "input"],
        console.buttons,
        where="view",
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
        response = console.me.submit({**_previous(view, errors), **values})
        body = response.json if isinstance(response.json, dict) else {}
        if body.get("response_action") == "errors":
            errors = dict(body.get("errors") or {})
            console.say("│ The bot refused some answers; try those again.")
            view["_previous"] = {**view.get("_previous", {}), **values}
            continue
        console.say("└─ submitted")
        console.settle()
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
    initial = _initial(element)
    suffix = " (optional)" if optional else ""
    if initial:
        suffix += f" [{initial}]"
    if kind == "users_select":
        suffix += " (a name like bob)"
    if kind == "datepicker":
        suffix += " (YYYY-MM-DD)"
    if hint:
        console.say(f"│   {console.render.text(hint)}")
    while True:
        answer = console.ask(f"│ {label}{suffix}: ")
        if answer is None or answer.strip().lower() == "cancel":
            return "cancel"
        answer = answer.strip()
        if not answer:
            if initial:
                return None  # the stand-in keeps the initial value
            if optional:
                return None
            console.say("│   This one is required.")
            continue
        return _convert(console, kind, answer, options)


def _initial(element: dict[str, Any]) -> str:
    if element.get("initial_value"):
        return str(element["initial_value"])[:60]
    if element.get("initial_option"):
        return str(element["initial_option"]["text"]["text"])
    if element.get("initial_date"):
        return str(element["initial_date"])
    if element.get("initial_user"):
        return str(element["initial_user"])
    return ""


def _convert(console: Any, kind: str | None, answer: str, options: list[dict[str, Any]]) -> Any:
    if kind in ("static_select", "radio_buttons") and answer.isdigit():
        index = int(answer) - 1
        if 0 <= index < len(options):
            return options[index]["text"]["text"]
    if kind in ("checkboxes", "multi_static_select"):
        picked = []
        for part in answer.split(","):
            part = part.strip()
            if part.isdigit() and 0 < int(part) <= len(options):
                picked.append(options[int(part) - 1]["text"]["text"])
            elif part:
                picked.append(part)
        return picked
    if kind == "users_select":
        return console.slack.person(answer.lstrip("@")).id
    if kind == "multi_users_select":
        return [
            console.slack.person(p.strip().lstrip("@")).id for p in answer.split(",") if p.strip()
        ]
    return answer


__all__ = ["Button", "fill_modal"]
