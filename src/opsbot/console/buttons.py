"""Buttons shown at the console, numbered once: a number keeps naming the same button.

A message shown again (by `show`, or edited in place) keeps its buttons' numbers, so `click 3`
works on anything on the screen, not only on the last thing printed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

PERSONAL = ("ephemeral", "view", "home")  # only the person who saw these can click them


@dataclass(frozen=True)
class Button:
    """A clickable thing shown to a person, with what is needed to click it again."""

    number: int
    label: str
    where: str  # "message", "ephemeral", "view" or "home"
    person: str  # the user id it was shown to
    channel: str | None = None
    ts: str | None = None
    value: str | None = None
    view_id: str | None = None


@dataclass(frozen=True)
class Surface:
    """Where buttons are being drawn: a message, an ephemeral, a modal or App Home."""

    where: str
    person: str
    channel: str | None = None
    ts: str | None = None
    view_id: str | None = None


class ButtonBoard:
    """Every button shown this session, each with the number it was first shown under."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str | None, ...], int] = {}
        self._buttons: list[Button] = []
        self._shown: dict[int, int] = {}  # number -> when it was last drawn
        self._ticks = itertools.count()

    def number(self, surface: Surface, label: str, action_id: Any, value: str | None) -> int:
        """The button's number: the one it had before if it was shown before, else the next."""
        person = surface.person if surface.where in PERSONAL else None
        key: tuple[str | None, ...] = (surface.where, person, surface.channel, surface.ts)
        key += (surface.view_id, str(action_id), value, label)
        if key not in self._numbers:
            self._buttons.append(
                Button(
                    len(self._buttons) + 1,
                    label,
                    surface.where,
                    surface.person,
                    surface.channel,
                    surface.ts,
                    value,
                    surface.view_id,
                )
            )
            self._numbers[key] = len(self._buttons)
        number = self._numbers[key]
        self._shown[number] = next(self._ticks)
        return number

    def labelled(self, label: str, person: str) -> Button | None:
        """The button called ``label`` (any case) drawn last that ``person`` can click."""
        wanted = label.strip().casefold()
        found = [
            b
            for b in self._buttons
            if b.label.casefold() == wanted and (b.where not in PERSONAL or b.person == person)
        ]
        return max(found, key=lambda b: self._shown[b.number], default=None)

    def get(self, number: int) -> Button | None:
        return self._buttons[number - 1] if 0 < number <= len(self._buttons) else None

    def __len__(self) -> int:
        return len(self._buttons)
