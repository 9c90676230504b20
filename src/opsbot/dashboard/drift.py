"""Confidence-distribution drift: PSI on baseline deciles, its state, and the whole assessment."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from opsbot.dashboard.ks import ks_statistic
from opsbot.dashboard.states import State, Verdict, number
from opsbot.dashboard.thresholds import Thresholds
from opsbot.telemetry.histogram import Histogram

DEFAULT_EPSILON = 1e-4


def decile_ranks(n: int, bins: int = 10) -> list[int]:
    """The 1-based ranks of the baseline's inner quantile edges: ceil(j·n / bins), j = 1..bins-1.

    The edge is the score of that rank in the sorted baseline (the inverted-CDF quantile), and
    bin k holds the scores in (edge_k-1, edge_k], the outer bins open, so every score lands.
    """
    return [-(-j * n // bins) for j in range(1, bins)]


def psi(
    baseline: Histogram, current: Histogram, *, bins: int = 10, epsilon: float = DEFAULT_EPSILON
) -> float:
    """PSI = Σ (c_i - r_i)·ln(c_i / r_i) over bins cut at the baseline's deciles, in O(buckets).

    The edges are bucket boundaries, so the result equals `psi_from_scores` on the scores
    quantized to their buckets. Coinciding edges (a baseline piled in a few buckets) merge, so
    fewer than `bins` bins may remain. A bin empty in one window gets the share `epsilon`
    (default 1e-4) in that window only, not renormalised; a bin empty in both adds nothing.
    """
    _check_psi_arguments(bins, epsilon)
    n_r, n_c = baseline.total, current.total
    if not n_r or not n_c:
        raise ValueError("PSI needs at least one score in each window.")
    edges: list[int] = []
    ranks = decile_ranks(n_r, bins)
    seen = 0
    for bucket, count in enumerate(baseline.counts):
        seen += count
        while len(edges) < len(ranks) and seen >= ranks[len(edges)]:
            edges.append(bucket)
    edges = sorted(set(edges))
    return _psi_of_bin_counts(
        _bin_counts(baseline.counts, edges), _bin_counts(current.counts, edges), epsilon
    )


def psi_from_scores(
    baseline: Sequence[float],
    current: Sequence[float],
    *,
    bins: int = 10,
    epsilon: float = DEFAULT_EPSILON,
) -> float:
    """PSI on raw scores, edges at the baseline's deciles by the rule of `decile_ranks`.

    The exact counterpart of `psi`, for comparison; it sorts, so it is O(n log n).
    """
    _check_psi_arguments(bins, epsilon)
    if not baseline or not current:
        raise ValueError("PSI needs at least one score in each window.")
    ordered = sorted(baseline)
    edges = sorted({ordered[rank - 1] for rank in decile_ranks(len(ordered), bins)})
    counts_r = [0] * (len(edges) + 1)
    counts_c = [0] * (len(edges) + 1)
    for score in baseline:
        counts_r[bisect.bisect_left(edges, score)] += 1
    for score in current:
        counts_c[bisect.bisect_left(edges, score)] += 1
    return _psi_of_bin_counts(counts_r, counts_c, epsilon)


def drift_state(
    psi: float | None,
    n_baseline: int,
    n_current: int,
    *,
    min_n: int = 200,
    watch: float = 0.1,
    act: float = 0.25,
    current_days: int = 7,
    baseline_days: int = 28,
) -> Verdict:
    """ok under `watch`, watch from `watch` to `act` inclusive, act over `act`.

    insufficient-data when either window holds fewer than `min_n` scores (PSI grows with sample
    noise) or PSI could not be computed (`psi` None).
    """
    recent = f"the last {current_days} days"
    before = f"the {baseline_days} days before"
    short = [
        f"{n} scores in {label}"
        for n, label in ((n_current, recent), (n_baseline, before))
        if n < min_n
    ]
    if psi is None and not short:
        return Verdict(
            State.INSUFFICIENT_DATA,
            f"PSI was not computed for {recent} against {before}; check the confidence rollups.",
        )
    if short or psi is None:
        found = " and ".join(short)
        return Verdict(
            State.INSUFFICIENT_DATA,
            f"Only {found}; drift needs at least {min_n} in each window, so wait for more traffic "
            "before reading PSI.",
        )
    value = number(psi)
    if psi > act:
        return Verdict(
            State.ACT,
            f"PSI {value} is over {number(act)}: the confidence scores of {recent} have moved away "
            f"from {before}, so review this tag's recent prompt, model, retrieval and traffic "
            "changes.",
        )
    if psi >= watch:
        return Verdict(
            State.WATCH,
            f"PSI {value} is between {number(watch)} and {number(act)}: the confidence scores of "
            f"{recent} are shifting from {before}, so find what changed before it passes "
            f"{number(act)}.",
        )
    return Verdict(
        State.OK,
        f"PSI {value} is under {number(watch)}: the confidence scores of {recent} match {before}.",
    )


@dataclass(frozen=True)
class DriftAssessment:
    """One drift entry of the dashboard: PSI, KS, window sizes, state and reason."""

    value: float | None
    ks: float | None
    ks_p_value: float | None
    n_baseline: int
    n_current: int
    state: State
    reason: str


def assess_drift(
    baseline: Histogram, current: Histogram, thresholds: Thresholds | None = None
) -> DriftAssessment:
    """PSI, KS and the drift state of one tag from its two windows' merged histograms."""
    limits = thresholds or Thresholds()
    n_r, n_c = baseline.total, current.total
    value = ks = p_value = None
    if n_r and n_c:
        value = psi(baseline, current, bins=limits.psi_bins, epsilon=limits.psi_epsilon)
        ks, p_value = ks_statistic(baseline, current)
    verdict = drift_state(
        value,
        n_r,
        n_c,
        min_n=limits.drift_min_n,
        watch=limits.psi_watch,
        act=limits.psi_act,
        current_days=limits.drift_current_days,
        baseline_days=limits.drift_baseline_days,
    )
    return DriftAssessment(value, ks, p_value, n_r, n_c, verdict.state, verdict.reason)


def _check_psi_arguments(bins: int, epsilon: float) -> None:
    if bins < 2:
        raise ValueError(f"PSI needs at least 2 bins, not {bins}.")
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must be a small positive share such as 1e-4, not {epsilon}.")


def _bin_counts(counts: Sequence[int], edges: Sequence[int]) -> list[int]:
    """Counts per bin, bin k holding buckets in (edges[k-1], edges[k]]; one pass over buckets."""
    binned = [0] * (len(edges) + 1)
    index = 0
    for bucket, count in enumerate(counts):
        while index < len(edges) and bucket > edges[index]:
            index += 1
        binned[index] += count
    return binned


def _psi_of_bin_counts(counts_r: Sequence[int], counts_c: Sequence[int], epsilon: float) -> float:
    n_r, n_c = sum(counts_r), sum(counts_c)
    total = 0.0
    for count_r, count_c in zip(counts_r, counts_c, strict=True):
        if not count_r and not count_c:
            continue
        share_r = count_r / n_r if count_r else epsilon
        share_c = count_c / n_c if count_c else epsilon
        total += (share_c - share_r) * math.log(share_c / share_r)
    return total
