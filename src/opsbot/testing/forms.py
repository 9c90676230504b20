"""What a person sees in blocks: buttons and options by label, and modal inputs filled in.

Pure functions over Block Kit dicts; :mod:`person` turns their results into Slack payloads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SELECTS = ("static_select", "overflow", "radio_buttons")
TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
SINGLE_OPTION = ("static_select", "external_select", "radio_buttons")
MULTI_OPTION = ("multi_static_select", "multi_external_select", "checkboxes")
PICKERS = {  # element type -> (state key, initial key, is a list)
    "users_select": ("selected_user", "initial_user", False),
    "multi_users_select": ("selected_users", "initial_users", True),
    "conversations_select": ("selected_conversation", "initial_conversation", False),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", True),
    "channels_select": ("selected_channel", "initial_channel", False),
    "multi_channels_select": ("selected_channels", "initial_channels", True),
    "datepicker": ("selected_date", "initial_date", False),
    "timepicker": ("selected_time", "initial_time", False),
    "datetimepicker": ("selected_date_time", "initial_date_time", False),
}


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


@dataclass
class Clickable:
    """A button, or one option of an overflow/select/radio group, as the person sees it."""

    label: str
    block_id: str
    action_id: str
    element: dict[str, Any]
    option: dict[str, Any] | None = None

    def action(self) -> dict[str, Any]:
        """The ``actions[0]`` entry of the block_actions payload for clicking this."""
        action: dict[str, Any] = {
            "type": self.element["type"],
            "action_id": self.action_id,
            "block_id": self.block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if self.option is None:
            action["text"] = self.element.get("text")
            action["value"] = self.element.get("value")
            if "style" in self.element:
                action["style"] = self.element["style"]
        else:
            action["selected_option"] = self.option
            if "placeholder" in self.element:
                action["placeholder"] = self.element["placeholder"]
        return action


def clickables(blocks: list[dict[str, Any]]) -> list[Clickable]:
    """Everything clickable in ``blocks``, in reading order."""
    found = []
    for i, block in enumerate(blocks):
        elements = block.get("elements") if block.get("type") == "actions" else None
        if elements is None:
            elements = [block["accessory"]] if isinstance(block.get("accessory"), dict) else []
        block_id = block.get("block_id") or f"blk{i}"
        for j, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            action_id = element.get("action_id") or f"act{i}_{j}"
            if element.get("type") == "button":
                found.append(Clickable(_text(element.get("text")), block_id, action_id, element))
            elif element.get("type") in SELECTS:
                for option in _options(element):
                    found.append(
                        Clickable(_text(option.get("text")), block_id, action_id, element, option)
                    )
    return found


def inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The input blocks of a view."""
    return [b for b in view.get("blocks") or [] if b.get("type") == "input"]


def _pick_option(element: dict[str, Any], wanted: Any, label: str) -> dict[str, Any]:
    for option in _options(element):
        if wanted in (_text(option.get("text")), option.get("value")):
            return option
    names = [_text(o.get("text")) for o in _options(element)]
    raise AssertionError(f"{label!r} has no option {wanted!r}; options are {names}")


def _state(
    element: dict[str, Any], given: Any, label: str, resolve: Callable[[str], str]
) -> dict[str, Any]:
    kind = element.get("type", "")
    value: dict[str, Any] = {"type": kind}
    if kind in TEXT_INPUTS:
        text = given if given is not None else element.get("initial_value")
        limit = element.get("max_length")
        if text is not None and limit is not None and len(str(text)) > int(limit):
            raise AssertionError(f"{label!r} accepts at most {limit} characters")
        value["value"] = None if text in (None, "") else str(text)
    elif kind in SINGLE_OPTION:
        chosen = _pick_option(element, given, label) if given is not None else None
        value["selected_option"] = chosen or element.get("initial_option")
    elif kind in MULTI_OPTION:
        picked = [_pick_option(element, g, label) for g in given] if given is not None else None
        value["selected_options"] = (
            picked if picked is not None else element.get("initial_options") or []
        )
    elif kind in PICKERS:
        key, initial, many = PICKERS[kind]
        if given is None:
            value[key] = element.get(initial, [] if many else None)
        elif many:
            value[key] = [resolve(str(g)) for g in given]
        else:
            value[key] = resolve(str(given)) if kind.endswith("_select") else given
    elif kind == "rich_text_input":
        text = given if given is not None else None
        value["rich_text_value"] = (
            None
            if text is None
            else {
                "type": "rich_text",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": str(text)}]}
                ],
            }
        )
    else:
        value["value"] = given
    return value


def _is_empty(value: dict[str, Any]) -> bool:
    return all(v in (None, "", []) for k, v in value.items() if k != "type")


def state_values(
    view: dict[str, Any],
    values: dict[str, Any] | None,
    resolve: Callable[[str], str],
    *,
    strict: bool = True,
) -> dict[str, Any]:
    """``view.state.values`` after the person fills ``values`` (keyed by label or block_id).

    With ``strict``, an unknown key or an empty required input raises AssertionError, as the
    Slack client refuses to submit.
    """
    values = dict(values or {})
    state: dict[str, Any] = {}
    for block in inputs(view):
        element = block.get("element") or {}
        label = _text(block.get("label"))
        keys = (label, block["block_id"], element.get("action_id"))
        key = next((k for k in keys if k in values), None)
        given = values.pop(key) if key is not None else None
        value = _state(element, given, label, resolve)
        if strict and _is_empty(value) and not block.get("optional"):
            raise AssertionError(f"required input {label!r} is empty; Slack would not submit")
        state[block["block_id"]] = {element.get("action_id", "act"): value}
    if strict and values:
        labels = [_text(b.get("label")) for b in inputs(view)]
        raise AssertionError(f"no input labelled {sorted(values)} in the modal; inputs: {labels}")
    return state
