"""The App Home tab: each feature contributes its sections, in order."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from opsbot.context import Context

log = logging.getLogger(__name__)
MAX_HOME_BLOCKS = 100


def home_view(ctx: Context, user_id: str) -> dict[str, Any]:
    """The Home tab for one person, from every registered section (at most 100 blocks)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "opsbot"}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Incidents, rituals and the AI Product Ops dashboard. "
                    "Type `/ops help` anywhere.",
                }
            ],
        },
    ]
    with ctx.tx() as session:
        for _, section in sorted(ctx.home_sections, key=lambda s: s[0]):
            blocks.extend(section(session, user_id))
    if len(blocks) > MAX_HOME_BLOCKS:
        blocks = [
            *blocks[: MAX_HOME_BLOCKS - 1],
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "More items than fit here; use `/incident list` and "
                        "`/ritual decisions`.",
                    }
                ],
            },
        ]
    return {"type": "home", "blocks": blocks}


def register_home(app: App, ctx: Context) -> None:
    @app.event("app_home_opened")
    def _opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=home_view(ctx, event["user"]))
