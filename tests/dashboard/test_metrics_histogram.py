"""The confidence histogram: buckets of width 0.001 that the dashboard rolls scores into."""

from __future__ import annotations

import math

import pytest

from opsbot.dashboard.model import CONFIDENCE_BUCKETS, Histogram, bucket_of


def test_bucket_of_puts_the_ends_in_the_first_and_last_bucket() -> None:
    """Score 0 lands in bucket 0 and score 1.0 in bucket 999, not in a 1001st bucket."""
    assert CONFIDENCE_BUCKETS == 1000
    assert bucket_of(0.0) == 0
    assert bucket_of(1.0) == 999
    assert bucket_of(0.999) == 999
    assert bucket_of(0.9995) == 999


def test_bucket_of_floors_score_times_one_thousand() -> None:
    """A score just under a bucket edge stays below it, and one on the edge starts the next."""
    assert bucket_of(0.0009999) == 0
    assert bucket_of(0.001) == 1
    assert bucket_of(0.8305) == 830
    assert bucket_of(0.83) == 830


def test_bucket_of_every_three_decimal_score_is_its_own_bucket() -> None:
    """k/1000 as a float lands in bucket k for every k, so rounding never shifts a grid score."""
    assert [bucket_of(k / 1000) for k in range(1000)] == list(range(1000))


@pytest.mark.parametrize("score", [-0.001, 1.0001, math.nan, math.inf])
def test_bucket_of_refuses_scores_outside_zero_to_one(score: float) -> None:
    """A score outside [0, 1] (or NaN) is refused rather than clamped into an end bucket."""
    with pytest.raises(ValueError, match="between 0 and 1"):
        bucket_of(score)


def test_from_scores_counts_each_score_in_its_bucket() -> None:
    """from_scores counts 0.1, 0.1005 and 1.0 as two in bucket 100 and one in bucket 999."""
    histogram = Histogram.from_scores([0.1, 0.1005, 1.0])
    assert histogram.to_sparse() == {100: 2, 999: 1}
    assert histogram.total == 3
    assert len(histogram.counts) == CONFIDENCE_BUCKETS


def test_merge_adds_hourly_rollups_into_one_window() -> None:
    """Merging two rollups gives the histogram of all their scores together."""
    first = Histogram.from_scores([0.2, 0.5])
    second = Histogram.from_scores([0.5, 0.9])
    assert Histogram.merged([first, second]) == Histogram.from_scores([0.2, 0.5, 0.5, 0.9])
    first.merge(second)
    assert first.to_sparse() == {200: 1, 500: 2, 900: 1}


def test_addition_leaves_both_operands_unchanged() -> None:
    """h1 + h2 is a new histogram; neither rollup is mutated."""
    first = Histogram.from_scores([0.2])
    second = Histogram.from_scores([0.3])
    both = first + second
    assert both.total == 2
    assert first.to_sparse() == {200: 1}
    assert second.to_sparse() == {300: 1}


def test_add_with_a_count_counts_many_at_once() -> None:
    """add(score, count) counts the score that many times."""
    histogram = Histogram()
    histogram.add(0.42, count=5)
    assert histogram.to_sparse() == {420: 5}


def test_sparse_round_trip_keeps_the_counts() -> None:
    """from_sparse(to_sparse()) rebuilds the same histogram, as a store would."""
    histogram = Histogram.from_scores([0.0, 0.25, 0.25, 1.0])
    assert Histogram.from_sparse(histogram.to_sparse()) == histogram


def test_bad_counts_are_refused() -> None:
    """Wrong length, negative counts and out-of-range buckets are refused."""
    with pytest.raises(ValueError, match="1000 buckets"):
        Histogram([0] * 10)
    with pytest.raises(ValueError, match="negative"):
        Histogram([-1] + [0] * 999)
    with pytest.raises(ValueError, match="outside"):
        Histogram.from_sparse({1000: 1})
    with pytest.raises(ValueError, match="negative"):
        Histogram.from_sparse({3: -2})
