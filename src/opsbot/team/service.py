"""Team roles: who holds product-ops-lead, eval-engineer, workflow-analyst, governance-partner…

A role is held as configured (``team:``) until someone changes it in Slack; from then on its
holders are kept in the database. Who may change roles is ``team_managers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from opsbot.config import Config
from opsbot.config.fields import INCIDENT_ADMINS
from opsbot.errors import NotAllowed, NotFound, OpsError
from opsbot.team import model, store
from opsbot.team.model import ChangeKind, RoleChange


@dataclass(frozen=True)
class RoleHolders:
    """One line of `/ops team`: the role, what it owns, its holders and where they come from."""

    role: str
    owns: str
    members: list[str]
    set_by: str | None  # who changed it in Slack last; None: held as configured
    set_at: datetime | None


def _known(config: Config, role: str) -> None:
    if role not in config.known_roles:
        raise NotFound(
            f"There is no team role `{role}`.", hint=f"Team roles: {', '.join(config.known_roles)}."
        )


def members(session: Session, config: Config, role: str) -> list[str]:
    """The people holding ``role``: as kept in Slack once changed there, else as configured."""
    _known(config, role)
    if store.assignment(session, role=role) is None:
        return config.role_members(role)
    return store.holders(session, role=role).get(role, [])


def resolve(session: Session, config: Config, owners: list[str]) -> list[str]:
    """User ids for owners given as people or as `role:<name>`, each person once."""
    people: list[str] = []
    for owner in owners:
        found = (
            members(session, config, owner.removeprefix("role:"))
            if owner.startswith("role:")
            else [owner]
        )
        people.extend(p for p in found if p not in people)
    return people


def roles_of(session: Session, config: Config, user_id: str) -> list[str]:
    """The team roles a person holds."""
    return [role for role in config.known_roles if user_id in members(session, config, role)]


def holders(session: Session, config: Config) -> list[RoleHolders]:
    """Every role with its holders and what it owns, for `/ops team`."""
    changed = store.assignments(session)
    kept = store.holders(session)
    result = []
    for role, owns in config.known_roles.items():
        if role in changed:
            row = changed[role]
            result.append(
                RoleHolders(role, owns, kept.get(role, []), row.assigned_by, row.assigned_at)
            )
        else:
            result.append(RoleHolders(role, owns, config.role_members(role), None, None))
    return result


def managers(session: Session, config: Config) -> model.Managers:
    """Who may change team roles now (``team_managers``)."""
    roles: dict[str, list[str]] = {}
    people: list[str] = []
    for entry in config.team_managers:
        if entry == INCIDENT_ADMINS:
            people.extend(config.incidents.admins)
        elif entry.startswith("role:"):
            role = entry.removeprefix("role:")
            roles[role] = members(session, config, role)
        else:
            people.append(entry)
    return model.Managers(roles, list(dict.fromkeys(people)))


def who_may_change(config: Config, found: model.Managers) -> str:
    """The people who may change roles, in words (mrkdwn; mentions render as names)."""
    parts = []
    for role, held in found.roles.items():
        who = ", ".join(f"<@{u}>" for u in held) or "nobody yet"
        parts.append(f"the {role} ({who})")
    admins = [u for u in found.people if u in config.incidents.admins]
    named = [u for u in found.people if u not in admins]
    if admins:
        parts.append("incident admins (" + ", ".join(f"<@{u}>" for u in admins) + ")")
    if named:
        parts.append(", ".join(f"<@{u}>" for u in named))
    return _and(parts) or "nobody"


def change_role(
    session: Session,
    config: Config,
    *,
    kind: ChangeKind,
    role: str,
    user_ids: list[str],
    by: str,
    at: datetime,
) -> RoleChange:
    """`/ops team add|remove|set`: change who holds ``role`` from now on, if ``by`` may; a
    change that would change nothing is refused, saying how things stand."""
    _known(config, role)
    allowed = managers(session, config)
    if not allowed.allows(by):
        raise NotAllowed(
            "Only " + who_may_change(config, allowed) + " may change team roles.",
            hint="Ask them to make the change; `/ops team` shows who holds what.",
        )
    before = members(session, config, role)
    row, first = store.lock_role(session, role=role, by=by, at=at)
    if not first:  # read again under the lock: someone may have changed it meanwhile
        before = store.holders(session, role=role).get(role, [])
    change = model.change_holders(kind, role, before, user_ids)
    if not change.changed:
        raise OpsError(_nothing_to_change(change, row if not first else None), hint=_SEE_TEAM)
    store.replace_holders(session, row, user_ids=list(change.after), by=by, at=at)
    return change


_SEE_TEAM = "`/ops team` shows who holds each role."


def _nothing_to_change(change: RoleChange, row: store.RoleAssignment | None) -> str:
    by = f" (set by <@{row.assigned_by}>)" if row is not None else ""
    who = _and([f"<@{u}>" for u in change.unchanged])
    holds = "holds" if len(change.unchanged) == 1 else "hold"
    if change.kind == "remove":
        does = "does" if len(change.unchanged) == 1 else "do"
        return f"{who} {does} not hold *{change.role}*; nothing changed."
    return f"{who} already {holds} *{change.role}*{by}; nothing changed."


def _and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
