"""Fine histograms of confidence scores: the per-day, per-tag rollup the dashboard computes from."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

CONFIDENCE_BUCKETS = 1000
BUCKET_WIDTH = 1 / CONFIDENCE_BUCKETS


def bucket_of(score: float) -> int:
    """The bucket of a score in [0, 1]: floor(score * 1000), with 1.0 in the top bucket (999)."""
    if not 0.0 <= score <= 1.0:  # also refuses NaN
        raise ValueError(f"A confidence score must be between 0 and 1, not {score!r}.")
    return min(math.floor(score * CONFIDENCE_BUCKETS), CONFIDENCE_BUCKETS - 1)


class Histogram:
    """Counts of scores per bucket; windows are built by merging daily rollups."""

    __slots__ = ("_counts",)

    def __init__(self, counts: Sequence[int] | None = None) -> None:
        if counts is None:
            self._counts = [0] * CONFIDENCE_BUCKETS
            return
        if len(counts) != CONFIDENCE_BUCKETS:
            raise ValueError(f"A histogram has {CONFIDENCE_BUCKETS} buckets, not {len(counts)}.")
        if any(count < 0 for count in counts):
            raise ValueError("A histogram's bucket counts must not be negative.")
        self._counts = [int(count) for count in counts]

    @classmethod
    def from_scores(cls, scores: Iterable[float]) -> Histogram:
        """The histogram of raw scores (for tests and for rolling up an ingest batch)."""
        histogram = cls()
        for score in scores:
            histogram.add(score)
        return histogram

    @classmethod
    def from_sparse(cls, counts: Mapping[int, int]) -> Histogram:
        """The histogram from {bucket: count}, the shape a store keeps for mostly empty rollups."""
        histogram = cls()
        for bucket, count in counts.items():
            if not 0 <= bucket < CONFIDENCE_BUCKETS:
                raise ValueError(f"Bucket {bucket} is outside 0..{CONFIDENCE_BUCKETS - 1}.")
            if count < 0:
                raise ValueError(f"Bucket {bucket} has a negative count ({count}).")
            histogram._counts[bucket] += count
        return histogram

    @classmethod
    def merged(cls, histograms: Iterable[Histogram]) -> Histogram:
        """One histogram holding every score of the given ones (e.g. 28 daily rollups)."""
        total = cls()
        for histogram in histograms:
            total.merge(histogram)
        return total

    def add(self, score: float, count: int = 1) -> None:
        """Count a score (`count` times) in its bucket."""
        if count < 0:
            raise ValueError(f"Cannot add a score a negative number of times ({count}).")
        self._counts[bucket_of(score)] += count

    def merge(self, other: Histogram) -> None:
        """Add every count of another histogram into this one."""
        self._counts = [
            mine + theirs for mine, theirs in zip(self._counts, other._counts, strict=True)
        ]

    def __add__(self, other: Histogram) -> Histogram:
        result = Histogram(self._counts)
        result.merge(other)
        return result

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Histogram) and self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]  # mutable: equal histograms may change apart

    def __repr__(self) -> str:
        return f"Histogram(total={self.total}, buckets={len(self.to_sparse())} non-empty)"

    @property
    def counts(self) -> tuple[int, ...]:
        """The count of every bucket, bucket 0 first."""
        return tuple(self._counts)

    @property
    def total(self) -> int:
        """How many scores the histogram holds."""
        return sum(self._counts)

    def to_sparse(self) -> dict[int, int]:
        """{bucket: count} for the non-empty buckets only."""
        return {bucket: count for bucket, count in enumerate(self._counts) if count}
