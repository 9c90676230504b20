"""Small readers of the stand-in's state for incident tests."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from opsbot.incidents import store


def incident_channel(slack: Any, number: int) -> Any:
    """The channel of incident ``number`` once created (waits for it)."""
    return slack.wait_for(
        lambda: next(
            (
                c
                for c in slack.channels()
                if c.name.startswith(f"inc-{number}-") or c.name == f"inc-{number}"
            ),
            None,
        ),
        message=f"no channel for incident {number}",
    )


def panel(slack: Any, channel: str) -> Any:
    """The pinned control panel of an incident channel (waits for the pin)."""

    def pinned() -> Any:
        ch = slack.channel(channel)
        if not ch.pins:
            return None
        return next((m for m in slack.messages(channel) if m.ts == ch.pins[0]), None)

    return slack.wait_for(pinned, message="no pinned control panel")


def blocks_text(message: Any) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def wait_panel(slack: Any, channel: str, needle: str, timeout: float = 5.0) -> Any:
    """Wait until the control panel shows ``needle``."""
    return slack.wait_for(
        lambda: needle in blocks_text(panel(slack, channel)) and panel(slack, channel),
        timeout=timeout,
        message=f"panel never showed {needle!r}",
    )


def posted(slack: Any, channel: str, needle: str, timeout: float = 5.0) -> Any:
    """Wait for a top-level message in ``channel`` whose text contains ``needle``."""
    return slack.wait_for(
        lambda: next((m for m in slack.messages(channel) if needle in m.text), None),
        timeout=timeout,
        message=f"nothing with {needle!r} posted in {channel}",
    )


def last_ephemeral(slack: Any, person: Any, timeout: float = 5.0, count: int = 1) -> str:
    found = slack.wait_for(
        lambda: len(person.ephemerals()) >= count and person.ephemerals(),
        timeout=timeout,
        message=f"{person.name} got no ephemeral reply",
    )
    return str(found[-1].text)


def incident(bot: Any, number: int) -> store.Incident:
    with Session(bot.ctx.engine) as session:
        found = store.by_number(session, number=number)
        assert found is not None
        return found


def _progress(bot: Any, person: Any) -> tuple[int, int]:
    from sqlalchemy import func
    from sqlmodel import select

    with Session(bot.ctx.engine) as session:
        events = session.exec(select(func.count()).select_from(store.TimelineEvent)).one()
    return int(events), len(person.ephemerals())


def run(bot: Any, slack: Any, person: Any, text: str, channel: str) -> None:
    """Type `/incident text` and wait until it took effect (a timeline entry or a reply).

    Commands run after their ack, in the background, as with Slack; a person types the next
    one only after seeing the last one land.
    """
    before = _progress(bot, person)
    person.command("/incident", text, channel=channel)
    slack.wait_for(
        lambda: any(a > b for a, b in zip(_progress(bot, person), before, strict=True)),
        message=f"/incident {text} had no effect",
    )
