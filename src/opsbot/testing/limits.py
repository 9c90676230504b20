"""Block Kit and view limits, checked as Slack's API checks them (slack_sdk skips raw dicts).

Each check yields a message in Slack's own shape, ``[ERROR] <what> [json-pointer:/blocks/0/...]``,
which the API returns in ``response_metadata.messages`` with the error ``invalid_blocks``.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
UPDATE_TEXT = 4_000
VIEW_BYTES = 250_000

BLOCK_TYPES = {
    "section",
    "divider",
    "image",
    "actions",
    "context",
    "input",
    "file",
    "header",
    "video",
    "rich_text",
    "markdown",
    "table",
    "call",
}
OPTION_ELEMENTS = {
    "static_select",
    "multi_static_select",
    "overflow",
    "radio_buttons",
    "checkboxes",
}


def _too_long(limit: int, ptr: str) -> str:
    return f"[ERROR] must be less than {limit + 1} characters [json-pointer:{ptr}]"


def _too_many(limit: int, ptr: str) -> str:
    return f"[ERROR] no more than {limit} items allowed [json-pointer:{ptr}]"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(
        self, obj: Any, ptr: str, limit: int, *, plain: bool = False, need: bool = True
    ) -> None:
        """A text object: present if needed, a dict with a str ``text`` within ``limit``."""
        if obj is None:
            if need:
                self.problems.append(f"[ERROR] missing required field: text [json-pointer:{ptr}]")
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            self.problems.append(f"[ERROR] must provide an object [json-pointer:{ptr}]")
            return
        if plain and obj.get("type") != "plain_text":
            self.problems.append(f"[ERROR] must be a valid enum value [json-pointer:{ptr}/type]")
        self.string(obj["text"], f"{ptr}/text", limit, minimum=1)

    def string(self, value: Any, ptr: str, limit: int, *, minimum: int = 0) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.problems.append(f"[ERROR] must be a string [json-pointer:{ptr}]")
        elif len(value) > limit:
            self.problems.append(_too_long(limit, ptr))
        elif len(value) < minimum:
            self.problems.append(
                f"[ERROR] must be more than {minimum - 1} characters [json-pointer:{ptr}]"
            )

    def count(self, items: Any, ptr: str, limit: int) -> list[Any]:
        if items is None:
            return []
        if not isinstance(items, list):
            self.problems.append(f"[ERROR] must be an array [json-pointer:{ptr}]")
            return []
        if len(items) > limit:
            self.problems.append(_too_many(limit, ptr))
        return items

    def option(self, option: Any, ptr: str) -> None:
        if not isinstance(option, dict):
            self.problems.append(f"[ERROR] must provide an object [json-pointer:{ptr}]")
            return
        self.text(option.get("text"), f"{ptr}/text", 75)
        self.string(option.get("value"), f"{ptr}/value", 150)

    def element(self, el: Any, ptr: str) -> None:
        if not isinstance(el, dict) or not isinstance(el.get("type"), str):
            self.problems.append(f"[ERROR] must provide an object with a type [json-pointer:{ptr}]")
            return
        kind = el["type"]
        self.string(el.get("action_id"), f"{ptr}/action_id", 255)
        self.text(el.get("placeholder"), f"{ptr}/placeholder", 150, need=False)
        if kind == "button":
            self.text(el.get("text"), f"{ptr}/text", 75, plain=True)
            self.string(el.get("value"), f"{ptr}/value", 2000)
            self.string(el.get("url"), f"{ptr}/url", 3000)
            self.string(el.get("accessibility_label"), f"{ptr}/accessibility_label", 75)
        elif kind == "image":
            self.string(el.get("alt_text"), f"{ptr}/alt_text", 2000)
            self.string(el.get("image_url"), f"{ptr}/image_url", 3000)
        if kind in OPTION_ELEMENTS:
            for i, option in enumerate(self.count(el.get("options"), f"{ptr}/options", 100)):
                self.option(option, f"{ptr}/options/{i}")
            groups = self.count(el.get("option_groups"), f"{ptr}/option_groups", 100)
            for g, group in enumerate(groups):
                options = group.get("options") if isinstance(group, dict) else None
                for i, option in enumerate(self.count(options, f"{ptr}/option_groups/{g}", 100)):
                    self.option(option, f"{ptr}/option_groups/{g}/options/{i}")
        confirm = el.get("confirm")
        if isinstance(confirm, dict):
            self.text(confirm.get("title"), f"{ptr}/confirm/title", 100, need=False)
            self.text(confirm.get("text"), f"{ptr}/confirm/text", 300, need=False)
            self.text(confirm.get("confirm"), f"{ptr}/confirm/confirm", 30, need=False)
            self.text(confirm.get("deny"), f"{ptr}/confirm/deny", 30, need=False)

    def block(self, block: Any, ptr: str) -> None:
        if not isinstance(block, dict):
            self.problems.append(f"[ERROR] must provide an object [json-pointer:{ptr}]")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.problems.append(f"[ERROR] unsupported type: {kind} [json-pointer:{ptr}/type]")
            return
        self.string(block.get("block_id"), f"{ptr}/block_id", 255)
        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                self.problems.append(
                    f"[ERROR] must provide either text or fields [json-pointer:{ptr}]"
                )
            self.text(block.get("text"), f"{ptr}/text", 3000, need=False)
            for i, item in enumerate(self.count(block.get("fields"), f"{ptr}/fields", 10)):
                self.text(item, f"{ptr}/fields/{i}", 2000)
            if block.get("accessory") is not None:
                self.element(block["accessory"], f"{ptr}/accessory")
        elif kind == "header":
            self.text(block.get("text"), f"{ptr}/text", 150, plain=True)
        elif kind == "actions":
            elements = self.count(block.get("elements"), f"{ptr}/elements", 25)
            if not elements:
                self.problems.append(f"[ERROR] must provide elements [json-pointer:{ptr}/elements]")
            for i, el in enumerate(elements):
                self.element(el, f"{ptr}/elements/{i}")
        elif kind == "context":
            for i, el in enumerate(self.count(block.get("elements"), f"{ptr}/elements", 10)):
                if isinstance(el, dict) and el.get("type") in ("plain_text", "mrkdwn"):
                    self.string(el.get("text"), f"{ptr}/elements/{i}/text", 3000)
                else:
                    self.element(el, f"{ptr}/elements/{i}")
        elif kind == "input":
            self.text(block.get("label"), f"{ptr}/label", 2000, plain=True)
            self.text(block.get("hint"), f"{ptr}/hint", 2000, need=False)
            self.element(block.get("element"), f"{ptr}/element")
        elif kind == "image":
            self.string(block.get("alt_text"), f"{ptr}/alt_text", 2000)
            self.string(block.get("image_url"), f"{ptr}/image_url", 3000)
        elif kind == "markdown":
            self.string(block.get("text"), f"{ptr}/text", 12000)


def block_problems(blocks: Any, *, max_blocks: int, ptr: str = "/blocks") -> list[str]:
    """Every Block Kit limit that ``blocks`` breaks, as Slack's ``[ERROR]`` messages."""
    checker = _Checker()
    for i, block in enumerate(checker.count(blocks, ptr, max_blocks)):
        checker.block(block, f"{ptr}/{i}")
    return checker.problems


def view_problems(view: Any, *, kind: str) -> tuple[str, list[str]] | None:
    """Why Slack would refuse this modal or home view: (error code, messages), or None."""
    if not isinstance(view, dict):
        return "invalid_arguments", ["[ERROR] must provide an object [json-pointer:/view]"]
    if len(json.dumps(view, separators=(",", ":")).encode()) > VIEW_BYTES:
        return "view_too_large", []
    checker = _Checker()
    if view.get("type") != kind:
        checker.problems.append(f"[ERROR] must be {kind} [json-pointer:/view/type]")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", 24, plain=True)
        checker.text(view.get("submit"), "/view/submit", 24, plain=True, need=False)
        checker.text(view.get("close"), "/view/close", 24, plain=True, need=False)
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and view.get("submit") is None:
            checker.problems.append(
                "[ERROR] must provide submit when an input block is present"
                " [json-pointer:/view/submit]"
            )
    checker.string(view.get("private_metadata"), "/view/private_metadata", 3000)
    checker.string(view.get("callback_id"), "/view/callback_id", 255)
    checker.string(view.get("external_id"), "/view/external_id", 255)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        checker.problems.append("[ERROR] must provide an array [json-pointer:/view/blocks]")
    else:
        checker.problems.extend(block_problems(blocks, max_blocks=VIEW_BLOCKS, ptr="/view/blocks"))
    return ("invalid_blocks", checker.problems) if checker.problems else None
