"""The `/ops` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from opsbot.errors import OpsError
from opsbot.slack.grammar import Grammar, people, readable
from opsbot.slack.mrkdwn import code, escape
from opsbot.team.model import ChangeKind

TEAM_ROLES = ("product-ops-lead", "eval-engineer", "workflow-analyst", "governance-partner")


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


@dataclass(frozen=True, slots=True)
class ShowDashboard:
    pass


@dataclass(frozen=True, slots=True)
class ShowTeam:
    pass


@dataclass(frozen=True, slots=True)
class ChangeTeamRole:
    kind: ChangeKind
    role: str
    user_ids: tuple[str, ...]


OpsCommand = ShowHelp | ShowDashboard | ShowTeam | ChangeTeamRole

_USAGE = {
    "help": ("/ops help", "this help"),
    "dashboard": ("/ops dashboard", "eval pass rate, drift, overrides, cost, time to remediation"),
    "team": ("/ops team", "who holds each team role"),
    "team add": ("/ops team add <role> <@user> [<@user>…]", "give a team role to people"),
    "team remove": ("/ops team remove <role> <@user> [<@user>…]", "take a team role from people"),
    "team set": (
        "/ops team set <role> <@user> [<@user>…]",
        "make these people the role's only holders",
    ),
}
_CHANGES: tuple[ChangeKind, ...] = ("add", "remove", "set")

GRAMMAR = Grammar("/ops", _USAGE, title="*`/ops` commands*")
HELP = GRAMMAR.help


def parse(text: str, *, roles: Collection[str] = TEAM_ROLES) -> OpsCommand:
    """Read the text typed after `/ops` into a command; `roles` are the team roles configured."""
    GRAMMAR.check_length(text)
    words = text.split()
    name = words[0].lower() if words else "help"
    if name == "help":
        return ShowHelp()
    if name == "dashboard":
        GRAMMAR.nothing_after("dashboard", " ".join(words[1:]))
        return ShowDashboard()
    if name == "team":
        if len(words) == 1:
            return ShowTeam()
        kind = words[1].lower()
        if kind in _CHANGES:
            return _team_change(kind, text.split(maxsplit=2)[2:], roles)
        raise OpsError(
            f"{code(readable('/ops team ' + words[1]))} is not a command.",
            hint="Type "
            + code("/ops team")
            + ", or "
            + ", ".join(code(f"/ops team {k} <role> @name") for k in _CHANGES),
        )
    raise GRAMMAR.unknown(words[0])


def _team_change(kind: ChangeKind, rest: list[str], roles: Collection[str]) -> ChangeTeamRole:
    known = ", ".join(sorted(roles))
    usage = "team " + kind
    words = rest[0].split(maxsplit=1) if rest else []
    if not words:
        raise OpsError(
            f"Which role, and for whom? Roles: {escape(known)}.", hint=GRAMMAR.type_(usage)
        )
    role = words[0].lower().replace("_", "-")
    if role not in roles:
        raise OpsError(
            f"{code(readable(words[0]))} is not a team role; the roles are {escape(known)}.",
            hint=GRAMMAR.type_(usage),
        )
    who = words[1] if len(words) > 1 else ""
    if not who.strip():
        question = {
            "add": f"Who should be {escape(role)}?",
            "remove": f"Whom should {escape(role)} be taken from?",
            "set": f"Who should hold {escape(role)}?",
        }[kind]
        raise OpsError(question, hint="Type " + code(f"/ops team {kind} {role} @name"))
    example = f"/ops team {kind} {role} @name @other"
    return ChangeTeamRole(kind, role, people(who, example=example))
