"""What `/ops team` shows and what a role change says in the channel (mrkdwn, escaped)."""

from __future__ import annotations

from opsbot.slack.mrkdwn import escape
from opsbot.team.model import Managers, RoleChange
from opsbot.team.service import RoleHolders


def mentions(user_ids: tuple[str, ...] | list[str]) -> str:
    """People as mentions (Slack shows their names), or "nobody"."""
    return ", ".join(f"<@{u}>" for u in user_ids) or "nobody"


def change_text(change: RoleChange, *, by: str) -> str:
    """The channel's line about a role change: who did what, and who holds the role now."""
    role = f"*{escape(change.role)}*"
    if change.kind == "add":
        text = f"<@{by}> gave {role} to {mentions(change.added)}"
    elif change.kind == "remove":
        text = f"<@{by}> took {role} from {mentions(change.removed)}"
    else:
        text = f"<@{by}> set {role} to {mentions(change.after)}"
        if change.removed:
            text += f", replacing {mentions(change.removed)}"
    if change.kind != "set":
        text += f"; it is now held by {mentions(change.after)}"
    return text + "."


def team_text(rows: list[RoleHolders], *, managers: Managers, who_may: str) -> str:
    """`/ops team`: each role, its holders, where they come from and what the role owns."""
    lines = ["*Team roles*"]
    for row in rows:
        who = ", ".join(f"<@{m}>" for m in row.members) or "_nobody yet_"
        if row.set_by is not None and row.set_at is not None:
            source = f" (set by <@{row.set_by}>, {row.set_at:%d %b %Y})"
        elif row.members:
            source = " (from the configuration)"
        else:
            source = ""
        lines.append(f"• *{escape(row.role)}*: {who}{source}\n    owns: {escape(row.owns)}")
    lines.append(
        "Change them with `/ops team add|remove|set &lt;role&gt; @name…` "
        "(`set` replaces the holders)."
    )
    if managers.anyone and managers.roles:
        roles = " or ".join(f"*{escape(r)}*" for r in managers.roles)
        lines.append(f"Anyone may change roles until someone holds {roles}.")
    elif managers.anyone:
        lines.append("Anyone may change roles.")
    else:
        lines.append(f"Who may change roles: {who_may}.")
    return "\n".join(lines)
