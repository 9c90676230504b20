"""The ritual rules: which reminders fit an occurrence, who may close a decision, which
expected decision outputs are missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opsbot.rituals.model import (
    DecisionClosers,
    fitting_reminders,
    missing_outputs,
    reminder_due,
)

POSTED = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return POSTED + timedelta(minutes=minutes)


def test_reminders_that_do_not_fit_before_the_close_are_left_out() -> None:
    """A reminder fits when it comes at least a minute before the close."""
    assert fitting_reminders(POSTED, _at(60), [30, 59, 60, 90]) == [(0, _at(30)), (1, _at(59))]
    assert fitting_reminders(POSTED, _at(20), [30]) == []


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (29.9, []),
        (30, [0]),
        (59.2, [0, 1]),  # after a downtime both are due: one reminder stands for them
        (59.6, []),  # the last half-minute: too late to act on
        (60, []),
        (61, []),
    ],
)
def test_reminders_due_never_at_or_after_the_close(now: float, due: list[int]) -> None:
    """The stages due at a moment, none in the last half-minute before the close or after."""
    assert reminder_due(POSTED, _at(60), [30, 59], _at(now)) == due


def test_decision_closers_are_its_owner_the_ritual_owners_and_admins() -> None:
    """The decision's owner, the ritual's owners and the admins may close it; nobody else."""
    closers = DecisionClosers("U1", ["U2", "U3"], ["U9"])
    assert [closers.allows(u) for u in ("U1", "U2", "U3", "U9", "U4")] == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_missing_outputs_are_the_expected_ones_no_decision_names() -> None:
    """Expected outputs without a decision are missing, in the ritual's order."""
    expected = ["Owners for exceptions", "Incidents to declare", "Alerts to investigate"]
    assert missing_outputs(expected, ["Incidents to declare", None]) == [
        "Owners for exceptions",
        "Alerts to investigate",
    ]
