"""`/ops team` and `/ops team add|remove|set <role> <@user>…`."""

from __future__ import annotations

from typing import Any

from opsbot.context import Context
from opsbot.slack.commands import CommandRequest, CommandRouter, Reply
from opsbot.team import blocks, commands, service


def team_command(ctx: Context, req: CommandRequest) -> Reply:
    parsed = commands.parse(req.text, roles=list(ctx.config.known_roles))
    if isinstance(parsed, commands.ChangeTeamRole):
        with ctx.tx() as session:
            change = service.change_role(
                session,
                ctx.config,
                kind=parsed.kind,
                role=parsed.role,
                user_ids=list(parsed.user_ids),
                by=req.user_id,
                at=ctx.clock(),
            )
        return Reply(blocks.change_text(change, by=req.user_id), public=True)
    with ctx.tx() as session:
        rows = service.holders(session, ctx.config)
        allowed = service.managers(session, ctx.config)
        who = service.who_may_change(ctx.config, allowed)
    return Reply(blocks.team_text(rows, managers=allowed, who_may=who))


def register(app: Any, ctx: Context) -> None:
    router: CommandRouter = ctx.commands["/ops"]
    router.add("team", team_command)
