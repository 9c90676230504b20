"""Team role rules: what a change does to a role's holders, and who may change roles.

Plain values in, plain values out: no Slack, no SQL, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["add", "remove", "set"]


@dataclass(frozen=True)
class RoleChange:
    """What `/ops team add|remove|set` does to a role: its holders before and after, and the
    people named who were left as they were (already holding it, or not holding it)."""

    kind: ChangeKind
    role: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(p for p in self.after if p not in self.before)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(p for p in self.before if p not in self.after)


def change_holders(
    kind: ChangeKind, role: str, before: Sequence[str], people: Sequence[str]
) -> RoleChange:
    """The role's holders after ``kind`` with ``people``: add keeps the order they came in,
    remove takes out those named, set makes them exactly ``people``."""
    held = tuple(before)
    named = tuple(dict.fromkeys(people))
    if kind == "add":
        unchanged = tuple(p for p in named if p in held)
        after = held + tuple(p for p in named if p not in held)
    elif kind == "remove":
        unchanged = tuple(p for p in named if p not in held)
        after = tuple(p for p in held if p not in named)
    else:
        unchanged = named if set(named) == set(held) else ()
        after = named
    return RoleChange(kind, role, held, after, unchanged)


@dataclass(frozen=True)
class Managers:
    """Who may change team roles: the holders of the managing roles, and people named."""

    roles: Mapping[str, Sequence[str]]  # managing role -> its holders now
    people: Sequence[str]  # user ids named directly (incident admins included)

    @property
    def anyone(self) -> bool:
        """Anyone may while the managing roles are held by nobody, so a new team can start
        (with no managing role configured: only the people named, or anyone if none is)."""
        return not any(self.roles.values()) and (bool(self.roles) or not self.people)

    def allows(self, user_id: str) -> bool:
        if self.anyone:
            return True
        return user_id in self.people or any(user_id in held for held in self.roles.values())
