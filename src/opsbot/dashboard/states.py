"""The four dashboard states, the (state, reason) verdict, and how numbers read in reasons
(durations read as everywhere else: ``opsbot.durations``)."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class State(StrEnum):
    """How a metric stands; the values are the dashboard JSON's `state` strings."""

    OK = "ok"
    WATCH = "watch"
    ACT = "act"
    INSUFFICIENT_DATA = "insufficient-data"


class Verdict(NamedTuple):
    """A state and one plain-English sentence, naming the numbers, that a person can act on."""

    state: State
    reason: str


def percent(share: float) -> str:
    """A share as a percentage for a sentence: 0.1234 -> '12.3%', 1.0 -> '100%'."""
    text = f"{share * 100:.1f}".removesuffix(".0")
    return f"{text}%"


def number(value: float) -> str:
    """A plain number for a sentence, four significant digits: 0.0123 -> '0.0123', 4.0 -> '4'."""
    return f"{value:.4g}"
