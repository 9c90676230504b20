"""The `/ops` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from opsbot.errors import OpsError
from opsbot.slack.grammar import Grammar, one_person
from opsbot.slack.mrkdwn import code, escape

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
class SetTeamRole:
    role: str
    user_id: str


OpsCommand = ShowHelp | ShowDashboard | ShowTeam | SetTeamRole

_USAGE = {
    "help": ("/ops help", "this help"),
    "dashboard": ("/ops dashboard", "eval pass rate, drift, overrides, cost, time to remediation"),
    "team": ("/ops team", "who holds each team role"),
    "team set": ("/ops team set <role> <@user>", "give a team role to someone"),
}

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
        if words[1].lower() == "set":
            return _team_set(words[2:], roles)
        raise OpsError(
            f"{code('/ops team ' + words[1])} is not a command.",
            hint="Type " + code("/ops team") + " or " + code(_USAGE["team set"][0]),
        )
    raise GRAMMAR.unknown(words[0])


def _team_set(words: list[str], roles: Collection[str]) -> SetTeamRole:
    known = ", ".join(sorted(roles))
    if not words:
        raise OpsError(f"Which role, and for whom? Roles: {escape(known)}.", hint=_try_set())
    role = words[0].lower().replace("_", "-")
    if role not in roles:
        raise OpsError(
            f"{code(words[0])} is not a team role; the roles are {escape(known)}.", hint=_try_set()
        )
    who = " ".join(words[1:])
    if not who:
        raise OpsError(
            f"Who should be {escape(role)}?", hint="Type " + code(f"/ops team set {role} @")
        )
    return SetTeamRole(role, one_person(who, example=f"/ops team set {role} @name"))


def _try_set() -> str:
    return GRAMMAR.type_("team set")
