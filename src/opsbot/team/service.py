"""Team roles: who holds product-ops-lead, eval-engineer, workflow-analyst, governance-partner…"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from opsbot.config import Config
from opsbot.errors import NotFound
from opsbot.team import store


@dataclass(frozen=True)
class RoleHolders:
    role: str
    owns: str
    members: list[str]
    source: str  # "configuration", "set by <@U…>", or "nobody"


def members(session: Session, config: Config, role: str) -> list[str]:
    """The people holding ``role``: the one set in Slack, else the configured ones."""
    if role not in config.known_roles:
        raise NotFound(
            f"There is no team role `{role}`.", hint=f"Team roles: {', '.join(config.known_roles)}."
        )
    assigned = store.assignment(session, role=role)
    return [assigned.user_id] if assigned else config.role_members(role)


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
    assigned = store.assignments(session)
    result = []
    for role, owns in config.known_roles.items():
        if role in assigned:
            row = assigned[role]
            result.append(RoleHolders(role, owns, [row.user_id], f"set by <@{row.assigned_by}>"))
        elif config.role_members(role):
            result.append(RoleHolders(role, owns, config.role_members(role), "configuration"))
        else:
            result.append(RoleHolders(role, owns, [], "nobody"))
    return result


def set_role(
    session: Session, config: Config, *, role: str, user_id: str, by: str, at: datetime
) -> None:
    """Give ``role`` to one person from now on (it replaces the configured holders)."""
    members(session, config, role)  # refuses an unknown role with the list of known ones
    store.assign(session, role=role, user_id=user_id, by=by, at=at)
