"""The one Block Kit kit: every block, element and view opsbot builds, with Slack's limits here.

Builders return plain dicts (what the outbox stores and the Web API takes). Each cuts its text
to Slack's limit (SLACK_FACTS §4) with ``mrkdwn.truncate``, which never cuts inside an entity or
a ``<…>`` token, so a mention, link or date is dropped whole or kept whole. Still, cut user text
(``truncate(escape(text), n)``) before placing it among markup, and build lists with ``lines``,
which keeps whole lines and counts the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opsbot.slack.mrkdwn import truncate

Block = dict[str, Any]
Blocks = list[Block]

# Slack's limits, per surface and per object (SLACK_FACTS §4)
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # a modal or the Home tab
MESSAGE_TEXT = 4000  # a message's notification text (chat.update refuses more)
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_TEXT = 3000
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
PLACEHOLDER = 150
LABEL = 2000
INPUT_TEXT = 3000  # a plain_text_input's max_length
MODAL_TITLE = 24  # also submit and close
PRIVATE_METADATA = 3000


def plain(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    """A plain_text object (Slack shows it literally: no escaping, no markup)."""
    return {"type": "plain_text", "text": truncate(text, limit)}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    """A mrkdwn text object; ``text`` is mrkdwn already (user text in it escaped)."""
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def section(
    text: str, *, block_id: str | None = None, accessory: dict[str, Any] | None = None
) -> Block:
    """A section of mrkdwn, with an optional accessory (a button)."""
    block: Block = {"type": "section", "text": mrkdwn(text, SECTION_TEXT)}
    if block_id:
        block["block_id"] = block_id
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(texts: Sequence[str], *, block_id: str | None = None) -> Block:
    """A section of up to ten mrkdwn fields, shown two by two."""
    block: Block = {
        "type": "section",
        "fields": [mrkdwn(text, FIELD_TEXT) for text in texts[:SECTION_FIELDS]],
    }
    if block_id:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    """A header: plain text, so markup in it shows literally."""
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def context(*texts: str) -> Block:
    """A context block of mrkdwn elements (small grey text)."""
    return {
        "type": "context",
        "elements": [mrkdwn(text, CONTEXT_TEXT) for text in texts[:CONTEXT_ELEMENTS]],
    }


def plain_context(text: str) -> Block:
    """A context block of one plain_text element (user text shown literally)."""
    return {"type": "context", "elements": [plain(text, CONTEXT_TEXT)]}


def divider() -> Block:
    return {"type": "divider"}


def actions(elements: Sequence[dict[str, Any]], *, block_id: str | None = None) -> Block:
    """A row of buttons (at most 25)."""
    block: Block = {"type": "actions", "elements": list(elements[:ACTIONS_ELEMENTS])}
    if block_id:
        block["block_id"] = block_id
    return block


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """A button; ``value`` comes back in the click (an id, never user text to show)."""
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": value[:BUTTON_VALUE],
        "text": plain(label, BUTTON_TEXT),
    }
    if style:
        element["style"] = style
    return element


def option(text: str, value: str) -> dict[str, Any]:
    """One choice of a select."""
    return {"text": plain(text, OPTION_TEXT), "value": value[:OPTION_VALUE]}


def text_input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    initial: str | None = None,
    max_length: int = INPUT_TEXT,
    placeholder: str | None = None,
) -> Block:
    """An input block with a plain-text field; its value is read back by ``block_id``."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": min(max_length, INPUT_TEXT),
    }
    if initial:
        element["initial_value"] = truncate(initial, element["max_length"])
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER)
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL),
        "element": element,
        "optional": optional,
    }


def select(
    block_id: str,
    label: str,
    choices: Sequence[tuple[str, str]],
    initial: str | None = None,
    *,
    optional: bool = False,
) -> Block:
    """An input block with a static select of (text, value) choices (at most 100)."""
    shown = choices[:OPTIONS]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": [option(text, value) for text, value in shown],
    }
    for text, value in shown:
        if value == initial:
            element["initial_option"] = option(text, value)
    block = input_block(block_id, label, element)
    return {**block, "optional": True} if optional else block


def input_block(block_id: str, label: str, element: dict[str, Any]) -> Block:
    """An input block around any element (a users_select, a datepicker…)."""
    return {"type": "input", "block_id": block_id, "label": plain(label, LABEL), "element": element}


def modal(
    callback_id: str,
    title: str,
    blocks: Blocks,
    *,
    submit: str,
    close: str = "Cancel",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A modal view (at most 100 blocks); ``private_metadata`` carries what it is about."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE),
        "submit": plain(submit, MODAL_TITLE),
        "close": plain(close, MODAL_TITLE),
        "blocks": blocks[:VIEW_BLOCKS],
        "private_metadata": private_metadata[:PRIVATE_METADATA],
    }


def lines(
    items: Sequence[str],
    limit: int,
    *,
    more: Callable[[int], str] = lambda n: f"…and {n} more.",
    hidden: int = 0,
    separator: str = "\n",
) -> str:
    """Whole lines joined within ``limit`` characters. The lines that do not fit (and
    ``hidden`` ones the caller left out already) are counted by a last line ``more(n)``
    instead of being cut in the middle of their markup."""

    def joined(kept: Sequence[str], left: int) -> str:
        return separator.join([*kept, more(left)] if left else kept)

    if len(text := joined(items, hidden)) <= limit:
        return text
    kept: list[str] = []
    for line in items:
        if len(joined([*kept, line], len(items) - len(kept) - 1 + hidden)) > limit:
            break
        kept.append(line)
    left = len(items) - len(kept) + hidden
    if not kept and items:  # not even the first line fits: cut it, token-safely
        room = limit - len(separator) - len(more(left - 1)) if left > 1 else limit
        kept, left = [truncate(items[0], max(1, room))], left - 1
    return truncate(joined(kept, left), limit)


def fit(blocks: Blocks, limit: int, *, more: str) -> Blocks:
    """At most ``limit`` blocks: the last one that fits says that ``more`` were left out."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(more)]
