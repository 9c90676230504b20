"""Block Kit and mrkdwn as terminal text, buttons numbered so a person can click them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from opsbot.console.dates import slack_date

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^(\d+)\^([^|>]*)\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
EMOJI = {  # the shortcodes opsbot writes, as the Slack client draws them
    "white_check_mark": "✅",
    "warning": "⚠️",
    "hourglass": "⌛",
    "fast_forward": "⏩",
    "alarm_clock": "⏰",
    "pushpin": "📌",
    "tada": "🎉",
    "eyes": "👀",
    "leftwards_arrow_with_hook": "↩️",
    "inbox_tray": "📥",
}


Number = Callable[[str, Any, "str | None"], int]  # label, action_id, value -> its number

_STYLE_MARKS = (("code", "`"), ("bold", "*"), ("italic", "_"), ("strike", "~"))


class Renderer:
    """Turns Slack markup into readable lines; names come from the stand-in's directory."""

    def __init__(self, user_name: Callable[[str], str], channel_name: Callable[[str], str]) -> None:
        self.user_name = user_name
        self.channel_name = channel_name

    def text(self, mrkdwn: str) -> str:
        out = _USER.sub(lambda m: "@" + self.user_name(m.group(1)), mrkdwn)
        out = _CHANNEL.sub(lambda m: "#" + (m.group(2) or self.channel_name(m.group(1))), out)
        out = _SPECIAL.sub(lambda m: "@" + m.group(1), out)
        out = _DATE.sub(lambda m: slack_date(int(m.group(1)), m.group(2)), out)
        out = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), out)
        out = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), out)
        return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def shown(self, obj: dict[str, Any]) -> str:
        """A text object as Slack shows it: mrkdwn rendered, plain_text literally."""
        raw = str(obj.get("text", ""))
        return raw if obj.get("type") == "plain_text" else self.text(raw)

    def blocks(self, blocks: list[dict[str, Any]], number: Number | None = None) -> list[str]:
        """Lines a person reads; each button (or option) shows the number ``number`` gives it."""
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "header":  # plain_text: Slack shows it literally, markup and all
                lines.append(f"== {block['text']['text']} ==")
            elif kind == "divider":
                lines.append("-" * 40)
            elif kind in ("section", "markdown"):
                body = block.get("text")
                if isinstance(body, dict):
                    lines.extend(self.shown(body).splitlines())
                elif kind == "markdown":
                    lines.extend(self.text(block.get("text", "")).splitlines())
                for field in block.get("fields") or []:
                    lines.append("  " + self.shown(field).replace("\n", " "))
                accessory = block.get("accessory")
                if isinstance(accessory, dict):
                    lines.append("  " + self._element(accessory, number))
            elif kind == "rich_text":
                lines.extend(self.rich_text(block.get("elements") or []))
            elif kind == "context":
                parts = [
                    self.text(e.get("text", "")) if e.get("type") == "mrkdwn" else e.get("text", "")
                    for e in block.get("elements") or []
                    if isinstance(e, dict) and "text" in e
                ]
                lines.append("  (" + "  ".join(parts) + ")")
            elif kind == "actions":
                shown = [self._element(e, number) for e in block.get("elements") or []]
                lines.append("  " + "  ".join(s for s in shown if s))
            elif kind == "image":
                lines.append(f"  [image: {block.get('alt_text', '')}]")
            elif kind == "input":
                label = block.get("label", {}).get("text", "")
                optional = " (optional)" if block.get("optional") else ""
                lines.append(f"  ▸ {label}{optional}")
            else:
                lines.append(f"  [a {kind} block the console does not draw]")
        return lines

    # ---- rich text ---------------------------------------------------------------------------
    def rich_text(self, elements: list[dict[str, Any]]) -> list[str]:
        """A rich_text block's sections, lists, quotes and code as lines."""
        lines: list[str] = []
        for element in elements:
            kind = element.get("type")
            inner = element.get("elements") or []
            if kind == "rich_text_list":
                indent = "  " * int(element.get("indent") or 0)
                ordered = element.get("style") == "ordered"
                for i, item in enumerate(inner, int(element.get("offset") or 0) + 1):
                    mark = f"{i}." if ordered else "•"
                    text = self._inline(item.get("elements") or [])
                    lines.append(f"{indent}{mark} {text}")
            elif kind == "rich_text_preformatted":
                lines.extend("    " + line for line in self._inline(inner, plain=True).split("\n"))
            elif kind == "rich_text_quote":
                lines.extend("> " + line for line in self._inline(inner).split("\n"))
            else:
                lines.extend(self._inline(inner).rstrip("\n").split("\n"))
        return lines

    def _inline(self, elements: list[dict[str, Any]], *, plain: bool = False) -> str:
        out = []
        for element in elements:
            kind = element.get("type")
            if kind == "text":
                text = str(element.get("text", ""))
            elif kind == "link":
                url = str(element.get("url", ""))
                text = f"{element['text']} ({url})" if element.get("text") else url
            elif kind == "user":
                text = "@" + self.user_name(str(element.get("user_id", "")))
            elif kind == "channel":
                text = "#" + self.channel_name(str(element.get("channel_id", "")))
            elif kind == "usergroup":
                text = "@" + str(element.get("usergroup_id", ""))
            elif kind == "broadcast":
                text = "@" + str(element.get("range", "here"))
            elif kind == "emoji":
                text = _emoji(element)
            elif kind == "date":
                fallback = str(element.get("fallback") or "")
                form = str(element.get("format") or fallback)
                text = slack_date(int(element.get("timestamp", 0)), form)
            else:
                text = str(element.get("text", ""))
            style = element.get("style") or {}
            if not plain and kind == "text" and text.strip():
                core = text.strip()
                for name, mark in _STYLE_MARKS:
                    if style.get(name):
                        core = f"{mark}{core}{mark}"
                start = len(text) - len(text.lstrip())
                text = text[:start] + core + text[len(text.rstrip()) :]
            out.append(text)
        return "".join(out)

    def _element(self, element: dict[str, Any], number: Number | None) -> str:
        kind = element.get("type")
        action_id = element.get("action_id")
        if kind == "button":
            label = element.get("text", {}).get("text", "?")
            return f"[{_n(number, label, action_id, element.get('value'))}] {label}"
        if kind in ("overflow", "static_select", "radio_buttons"):
            shown = []
            for option in element.get("options") or []:
                label = option.get("text", {}).get("text", "?")
                shown.append(f"[{_n(number, label, action_id, option.get('value'))}] {label}")
            return " ".join(shown)
        return ""


def _n(number: Number | None, label: str, action_id: Any, value: str | None) -> str:
    return str(number(label, action_id, value)) if number else "·"


def _emoji(element: dict[str, Any]) -> str:
    unicode = element.get("unicode")
    if isinstance(unicode, str) and unicode:
        try:
            return "".join(chr(int(part, 16)) for part in unicode.split("-"))
        except ValueError:
            pass
    name = str(element.get("name", ""))
    return EMOJI.get(name, f":{name}:")
