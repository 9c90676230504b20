"""`/ops team` and `/ops team set <role> <@user>`."""

from __future__ import annotations

from typing import Any

from opsbot.context import Context
from opsbot.slack.commands import CommandRequest, CommandRouter, Reply
from opsbot.slack.mrkdwn import escape
from opsbot.team import commands, service


def show_team(ctx: Context, req: CommandRequest) -> Reply:
    parsed = commands.parse(req.text, roles=list(ctx.config.known_roles))
    if isinstance(parsed, commands.SetTeamRole):
        with ctx.tx() as session:
            service.set_role(
                session,
                ctx.config,
                role=parsed.role,
                user_id=parsed.user_id,
                by=req.user_id,
                at=ctx.clock(),
            )
        return Reply(
            f"<@{req.user_id}> gave the *{parsed.role}* role to <@{parsed.user_id}>.", public=True
        )
    with ctx.tx() as session:
        rows = service.holders(session, ctx.config)
    lines = ["*Team roles*"]
    for row in rows:
        who = ", ".join(f"<@{m}>" for m in row.members) or "_nobody yet_"
        lines.append(f"• *{row.role}*: {who} ({row.source})\n    owns: {escape(row.owns)}")
    lines.append("Change one with `/ops team set &lt;role&gt; &lt;@user&gt;`.")
    return Reply("\n".join(lines))


def register(app: Any, ctx: Context) -> None:
    router: CommandRouter = ctx.commands["/ops"]
    router.add("team", show_team)
