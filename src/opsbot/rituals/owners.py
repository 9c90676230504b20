"""Who owns a ritual: the configured owners, unless `/ritual owners` replaced them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot.config import Config, Ritual
from opsbot.errors import NotFound
from opsbot.rituals import store
from opsbot.team import service as team


def ritual_for(config: Config, key: str) -> Ritual | None:
    """The configured ritual with ``key``, or None when the configuration dropped it."""
    try:
        return config.ritual(key)
    except NotFound:
        return None


def owner_specs(session: Session, ritual: Ritual) -> list[str]:
    """Owners as written: user ids and ``role:<name>``, the override first if there is one."""
    state = session.get(store.RitualState, ritual.key)
    if state is not None and state.owners:
        return list(state.owners)
    return list(ritual.owners)


def resolved(session: Session, config: Config, ritual: Ritual) -> list[str]:
    """The user ids owning ``ritual`` now, team roles expanded (a role held by nobody adds none)."""
    return team.resolve(session, config, owner_specs(session, ritual))


def describe(session: Session, config: Config, ritual: Ritual) -> str:
    """Owners for people to read: ``product-ops-lead (<@U1>)``, ``<@U2>``."""
    parts = []
    for spec in owner_specs(session, ritual):
        if spec.startswith("role:"):
            role = spec.removeprefix("role:")
            members = team.members(session, config, role)
            held = ", ".join(f"<@{m}>" for m in members) or "nobody yet"
            parts.append(f"{role} ({held})")
        else:
            parts.append(f"<@{spec}>")
    return ", ".join(parts)


def set_owners(
    session: Session, config: Config, *, key: str, user_ids: list[str], by: str, now: datetime
) -> Ritual:
    """Replace the ritual's owners (user ids and ``role:<role>``) from now on (open
    occurrences take the new owners too); an unknown role is refused with the known ones."""
    ritual = config.ritual(key)
    for spec in user_ids:
        role = spec.removeprefix("role:")
        if spec.startswith("role:") and role not in config.known_roles:
            raise NotFound(
                f"There is no team role `{role}`.",
                hint=f"Team roles: {', '.join(config.known_roles)}; `/ops team` shows who "
                "holds them.",
            )
    state = store.state(session, key=key)
    state.owners, state.owners_set_by, state.owners_set_at = list(user_ids), by, now
    session.add(state)
    return ritual
