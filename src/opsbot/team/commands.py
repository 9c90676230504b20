"""The `/ops` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from opsbot.errors import OpsError
from opsbot.slack.mrkdwn import code, escape, user_id_from_mention

MAX_TEXT = 3000
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

HELP = "\n".join(
    ["*`/ops` commands*"] + [f"• {code(usage)}: {escape(what)}" for usage, what in _USAGE.values()]
)


def parse(text: str, *, roles: Collection[str] = TEAM_ROLES) -> OpsCommand:
    """Read the text typed after `/ops` into a command; `roles` are the team roles configured."""
    if len(text) > MAX_TEXT:
        raise OpsError(
            f"That is {len(text)} characters; `/ops` takes at most {MAX_TEXT}.", hint="Shorten it."
        )
    words = text.split()
    name = words[0].lower() if words else "help"
    if name == "help":
        return ShowHelp()
    if name == "dashboard":
        _nothing_after("dashboard", words[1:])
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
    raise OpsError(
        f"There is no {code('/ops ' + words[0])} command.",
        hint="Commands: help, dashboard, team, team set. Type " + code("/ops help") + ".",
    )


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
    user_id = user_id_from_mention(who)
    if user_id is None:
        raise OpsError(
            f"{code(who)} is not a mention of one person.",
            hint="Type @ and pick them from the list so Slack links them: "
            + code(f"/ops team set {role} @name"),
        )
    return SetTeamRole(role, user_id)


def _nothing_after(command: str, rest: list[str]) -> None:
    if rest:
        raise OpsError(
            f"{code('/ops ' + command)} takes nothing after it.",
            hint="Type " + code(_USAGE[command][0]),
        )


def _try_set() -> str:
    return "Type " + code(_USAGE["team set"][0])
