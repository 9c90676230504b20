"""The `/ops` command: help here; team and dashboard add their own subcommands."""

from __future__ import annotations

from typing import Any

from opsbot.context import Context
from opsbot.slack.commands import CommandRouter

OPS_HELP = """*opsbot* keeps incidents, rituals and the AI Product Ops numbers in one place.
*`/ops`*
• `/ops help` – this message
• `/ops dashboard` – eval pass rate, confidence drift, overrides and escalations,
  cost per outcome, time to remediation
• `/ops team` – who holds each team role and what the role owns
• `/ops team add|remove|set &lt;role&gt; &lt;@user&gt; [&lt;@user&gt;…]` – give a role to people,
  take it from them, or make them its only holders
• `/ops experiment new | list | show &lt;key&gt; | decide &lt;key&gt; …` – experiments with
  the rule to ship fixed in advance: `/ops experiment help`
*`/incident`* – declare and drive incidents: `/incident help`
*`/ritual`* – daily triage, weekly review, eval calibration, monthly retro: `/ritual help`"""


def register(app: Any, ctx: Context) -> None:
    ctx.commands.setdefault(
        "/ops",
        CommandRouter(
            command="/ops",
            description="opsbot: help, dashboard and team roles",
            usage_hint="help | dashboard | team | team add|remove|set <role> <@user>…",
            help_text=OPS_HELP,
        ),
    )
