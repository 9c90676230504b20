"""One way of writing a duration, everywhere: its two largest units, compactly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsbot.durations import duration


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(minutes=5, seconds=59), "5m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=1, minutes=5), "1h 5m"),
        (timedelta(days=2, hours=3, minutes=10), "2d 3h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=1, minutes=1), "1d"),
        (timedelta(seconds=-5), "0s"),
        (5400, "1h 30m"),
        (93784.0, "1d 2h"),
        (None, "–"),
    ],
)
def test_a_duration_reads_in_its_two_largest_units(
    span: timedelta | float | None, text: str
) -> None:
    """Seconds or a timedelta read as people say them; a negative span is zero, None a dash."""
    assert duration(span) == text
