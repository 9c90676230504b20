"""The archive's encodings: a batch's raw scores and a day's histogram round-trip exactly."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from opsbot.telemetry.archive import (
    EMPTY_COUNTS,
    pack_counts,
    pack_scores,
    unpack_counts,
    unpack_scores,
)
from opsbot.telemetry.histogram import CONFIDENCE_BUCKETS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def test_scores_round_trip_in_order() -> None:
    """Tags (any text), times to the microsecond and exact floats come back as packed."""
    tags = ["refund-agent", "café ✓", 'quote"s']
    times = [datetime(2026, 11, 20, 23, 59, 59, 999_999, tzinfo=UTC), EPOCH, EPOCH - timedelta(1)]
    micros = [(at - EPOCH) // timedelta(microseconds=1) for at in times]
    scores = [0.1 + 0.2, 1.0, math.nextafter(0.0, 1.0)]
    back = unpack_scores(pack_scores(tags, [2, 0, 1], micros, scores))
    assert [(r.tag, r.at, r.score) for r in back] == [
        ('quote"s', times[0], 0.1 + 0.2),
        ("refund-agent", times[1], 1.0),
        ("café ✓", times[2], math.nextafter(0.0, 1.0)),
    ]


def test_a_damaged_payload_is_refused() -> None:
    """Unknown magic or a truncated payload raise instead of returning wrong records."""
    payload = pack_scores(["a"], [0], [0], [0.5])
    with pytest.raises(ValueError, match="magic"):
        unpack_scores(b"XXXXX" + payload[5:])
    with pytest.raises(ValueError, match="bytes"):
        unpack_scores(payload[:-1])


def test_counts_are_narrow_until_they_need_64_bits() -> None:
    """Counts pack as uint32 (4,000 bytes) while they fit, as int64 beyond, and round-trip."""
    counts = [0] * CONFIDENCE_BUCKETS
    counts[0], counts[999] = 7, 2**32 - 1
    assert len(pack_counts(counts)) == 4 * CONFIDENCE_BUCKETS
    assert list(unpack_counts(pack_counts(counts))) == counts
    counts[500] = 2**32
    assert len(pack_counts(counts)) == 8 * CONFIDENCE_BUCKETS
    assert list(unpack_counts(pack_counts(counts))) == counts
    assert list(unpack_counts(EMPTY_COUNTS)) == [0] * CONFIDENCE_BUCKETS


def test_a_histogram_of_the_wrong_size_is_refused() -> None:
    """999 buckets, or a payload of another length, is an error."""
    with pytest.raises(ValueError):
        pack_counts([0] * (CONFIDENCE_BUCKETS - 1))
    with pytest.raises(ValueError):
        unpack_counts(b"\0" * 12)
