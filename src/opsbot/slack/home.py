"""The App Home tab: each feature contributes its sections, in order."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from opsbot.context import Context
from opsbot.slack import blocks as kit

log = logging.getLogger(__name__)


def home_view(ctx: Context, user_id: str) -> dict[str, Any]:
    """The Home tab for one person, from every registered section (at most 100 blocks)."""
    blocks: kit.Blocks = [
        kit.header("opsbot"),
        kit.context(
            "Incidents, rituals and the AI Product Ops dashboard. Type `/ops help` anywhere."
        ),
    ]
    with ctx.tx() as session:
        for _, section in sorted(ctx.home_sections, key=lambda s: s[0]):
            blocks.extend(section(session, user_id))
    more = "More items than fit here; use `/incident list` and `/ritual decisions`."
    return {"type": "home", "blocks": kit.fit(blocks, kit.VIEW_BLOCKS, more=more)}


def register_home(app: App, ctx: Context) -> None:
    @app.event("app_home_opened")
    def _opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=home_view(ctx, event["user"]))
