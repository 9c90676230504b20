"""The incidents section of App Home: mine (where I hold a role), then all open by severity."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from opsbot.incidents import blocks, store
from opsbot.incidents.model import Status
from opsbot.slack import blocks as kit

MAX_ROWS = 15


def _lines(title: str, incidents: list[store.Incident], empty: str) -> list[dict[str, Any]]:
    shown = [blocks.list_line(i) for i in incidents[:MAX_ROWS]]
    text = kit.lines(
        [f"*{title}*", *(shown or [empty])],
        kit.SECTION_TEXT,
        more=lambda n: f"…and {n} more: `/incident list`",
        hidden=len(incidents) - len(shown),
    )
    return [kit.section(text)]


def section(session: Session, user_id: str) -> list[dict[str, Any]]:
    """App Home blocks for one person."""
    mine = [i for i in store.with_role(session, user_id=user_id) if i.status != Status.CLOSED]
    open_ = store.open_incidents(session)
    return [
        kit.header("Incidents"),
        *_lines("Where you hold a role", mine, "_None right now._"),
        *_lines("Open incidents, worst first", open_, "_No open incidents._"),
        kit.divider(),
    ]
