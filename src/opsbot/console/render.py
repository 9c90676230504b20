"""Block Kit and mrkdwn as terminal text, buttons numbered so a person can click them."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^(\d+)\^([^|>]*)\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def _date(epoch: int, form: str) -> str:
    """Slack's `<!date^…>` as the Slack client would show it, in this terminal's zone."""
    if "{ago}" in form:
        seconds = max(0, int(time.time()) - epoch)
        spoken = (
            f"{seconds} s"
            if seconds < 60
            else f"{seconds // 60} min"
            if seconds < 3600
            else f"{seconds // 3600} h {seconds % 3600 // 60} min"
        )
        return form.replace("{ago}", f"{spoken} ago")
    local = time.localtime(epoch)
    return (
        form.replace("{date_short_pretty}", time.strftime("%b %d", local))
        .replace("{date_short}", time.strftime("%b %d", local))
        .replace("{time}", time.strftime("%H:%M", local))
    )


@dataclass
class Button:
    """A clickable thing shown to the person, with what is needed to click it."""

    label: str
    where: str  # "message", "view" or "home"
    channel: str | None = None
    ts: str | None = None
    value: str | None = None


class Renderer:
    """Turns Slack markup into readable lines; names come from the stand-in's directory."""

    def __init__(self, user_name: Callable[[str], str], channel_name: Callable[[str], str]) -> None:
        self.user_name = user_name
        self.channel_name = channel_name

    def text(self, mrkdwn: str) -> str:
        out = _USER.sub(lambda m: "@" + self.user_name(m.group(1)), mrkdwn)
        out = _CHANNEL.sub(lambda m: "#" + (m.group(2) or self.channel_name(m.group(1))), out)
        out = _SPECIAL.sub(lambda m: "@" + m.group(1), out)
        out = _DATE.sub(lambda m: _date(int(m.group(1)), m.group(2)), out)
        out = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), out)
        return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def shown(self, obj: dict[str, Any]) -> str:
        """A text object as Slack shows it: mrkdwn rendered, plain_text literally."""
        raw = str(obj.get("text", ""))
        return raw if obj.get("type") == "plain_text" else self.text(raw)

    def blocks(
        self,
        blocks: list[dict[str, Any]],
        buttons: list[Button],
        *,
        where: str,
        channel: str | None = None,
        ts: str | None = None,
    ) -> list[str]:
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
                    lines.append("  " + self._element(accessory, buttons, where, channel, ts))
            elif kind == "context":
                parts = [
                    self.text(e.get("text", ""))
                    for e in block.get("elements") or []
                    if isinstance(e, dict) and "text" in e
                ]
                lines.append("  (" + "  ".join(parts) + ")")
            elif kind == "actions":
                shown = [
                    self._element(e, buttons, where, channel, ts)
                    for e in block.get("elements") or []
                ]
                lines.append("  " + "  ".join(s for s in shown if s))
            elif kind == "image":
                lines.append(f"  [image: {block.get('alt_text', '')}]")
            elif kind == "input":
                label = block.get("label", {}).get("text", "")
                optional = " (optional)" if block.get("optional") else ""
                lines.append(f"  ▸ {label}{optional}")
        return lines

    def _element(
        self,
        element: dict[str, Any],
        buttons: list[Button],
        where: str,
        channel: str | None,
        ts: str | None,
    ) -> str:
        kind = element.get("type")
        if kind == "button":
            label = element.get("text", {}).get("text", "?")
            buttons.append(Button(label, where, channel, ts, element.get("value")))
            return f"[{len(buttons)}] {label}"
        if kind in ("overflow", "static_select", "radio_buttons"):
            shown = []
            for option in element.get("options") or []:
                label = option.get("text", {}).get("text", "?")
                buttons.append(Button(label, where, channel, ts, option.get("value")))
                shown.append(f"[{len(buttons)}] {label}")
            return " ".join(shown)
        return ""
