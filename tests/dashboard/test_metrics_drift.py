"""Confidence drift: PSI on baseline deciles, KS, and the drift state."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from opsbot.dashboard.model import (
    Histogram,
    State,
    Thresholds,
    assess_drift,
    bucket_of,
    decile_ranks,
    drift_state,
    kolmogorov_sf,
    ks_statistic,
    psi,
    psi_from_scores,
)


def numpy_psi(baseline: np.ndarray, current: np.ndarray, epsilon: float = 1e-4) -> float:
    """An independent PSI: numpy's inverted-CDF deciles, bins (e_k-1, e_k], epsilon one side."""
    edges = np.unique(np.quantile(baseline, np.arange(1, 10) / 10, method="inverted_cdf"))
    count_r = np.bincount(np.searchsorted(edges, baseline), minlength=len(edges) + 1)
    count_c = np.bincount(np.searchsorted(edges, current), minlength=len(edges) + 1)
    keep = (count_r > 0) | (count_c > 0)
    share_r = np.where(count_r > 0, count_r / len(baseline), epsilon)[keep]
    share_c = np.where(count_c > 0, count_c / len(current), epsilon)[keep]
    return float(np.sum((share_c - share_r) * np.log(share_c / share_r)))


def test_decile_ranks_are_the_inverted_cdf_ranks() -> None:
    """For 25 scores the inner edges are the 3rd, 5th, 8th, ... 23rd smallest (ceil(25j/10))."""
    assert decile_ranks(25) == [3, 5, 8, 10, 13, 15, 18, 20, 23]
    assert decile_ranks(10) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_psi_of_a_window_against_itself_is_zero() -> None:
    """Identical windows have PSI 0."""
    histogram = Histogram.from_scores(np.random.default_rng(1).beta(5, 2, 500))
    assert psi(histogram, histogram) == 0.0


def test_psi_hand_computed_on_one_score_per_decile() -> None:
    """A baseline with one score per decile against a current piled at both ends gives 6.8082."""
    # Baseline 0.05, 0.15, ..., 0.95: edges at its 1st..9th scores, so each bin holds r = 0.1.
    # Current: five at 0.05 (bin 0) and five at 0.95 (bin 9), c = 0.5 there and empty elsewhere,
    # so those eight bins take c = epsilon = 1e-4:
    # PSI = 2·(0.5 - 0.1)·ln(5) + 8·(1e-4 - 0.1)·ln(1e-4 / 0.1)
    #     = 0.8·1.6094379 + 8·0.0999·6.9077553 = 1.2875503 + 5.5206781 = 6.8082284
    baseline = [k / 10 + 0.05 for k in range(10)]
    current = [0.05] * 5 + [0.95] * 5
    expected = 6.8082284
    assert psi(Histogram.from_scores(baseline), Histogram.from_scores(current)) == pytest.approx(
        expected, rel=1e-7
    )
    assert psi_from_scores(baseline, current) == pytest.approx(expected, rel=1e-7)


def test_psi_epsilon_replaces_an_empty_share_on_its_side_only() -> None:
    """A baseline all at 0.5 has an empty upper bin; only that share becomes epsilon."""
    # Baseline: 200 scores at 0.5, so all nine edges are bucket 500 and merge into one:
    # bins (-inf, 0.5] and (0.5, +inf), r = [1, 0 -> eps]. Current: 100 at 0.5, 100 at 0.7,
    # c = [0.5, 0.5] (not replaced).
    # PSI = (0.5 - 1)·ln(0.5) + (0.5 - 1e-4)·ln(0.5 / 1e-4)
    #     = 0.3465736 + 0.4999·8.5171932 = 0.3465736 + 4.2577449 = 4.6043185
    baseline = Histogram.from_scores([0.5] * 200)
    current = Histogram.from_scores([0.5] * 100 + [0.7] * 100)
    assert psi(baseline, current) == pytest.approx(4.6043185, rel=1e-7)
    # With epsilon 1e-3: 0.3465736 + 0.499·ln(500) = 0.3465736 + 3.1010894 = 3.4476630
    assert psi(baseline, current, epsilon=1e-3) == pytest.approx(3.4476630, rel=1e-7)


def test_psi_with_scores_at_zero_and_one() -> None:
    """Scores exactly 0 and 1 land in the end bins; moving all mass to 1.0 gives 4.6043."""
    # Baseline: 100 at 0.0, 100 at 1.0; ranks 20..100 sit in bucket 0, ranks 120..180 in 999,
    # so edges {0, 999}: bins (-inf, 0], (0, 0.999], (0.999, +inf); r = [0.5, 0.5, 0].
    # Current: 200 at 1.0, c = [0 -> eps, 1, 0]; the last bin is empty on both sides (adds 0).
    # PSI = (1e-4 - 0.5)·ln(1e-4 / 0.5) + (1 - 0.5)·ln(1 / 0.5) = 4.2577449 + 0.3465736
    baseline = Histogram.from_scores([0.0] * 100 + [1.0] * 100)
    current = Histogram.from_scores([1.0] * 200)
    assert psi(baseline, current) == pytest.approx(4.6043185, rel=1e-7)
    assert psi(baseline, baseline) == 0.0


def test_psi_with_every_score_in_one_bucket_on_both_sides_is_zero() -> None:
    """When both windows sit in the same single bucket, PSI is 0, not a division error."""
    one_bucket = Histogram.from_scores([0.8301, 0.8302, 0.8309] * 100)
    assert psi(one_bucket, Histogram.from_scores([0.83] * 7)) == 0.0


def test_psi_refuses_an_empty_window() -> None:
    """PSI of an empty window is refused; drift_state reports insufficient-data instead."""
    with pytest.raises(ValueError, match="at least one score"):
        psi(Histogram(), Histogram.from_scores([0.5]))
    with pytest.raises(ValueError, match="at least one score"):
        psi_from_scores([0.5], [])


@pytest.mark.parametrize("seed", range(8))
def test_psi_on_histograms_equals_exact_psi_on_quantized_scores(seed: int) -> None:
    """psi() on rollups equals psi_from_scores() on the scores quantized to their buckets."""
    rng = np.random.default_rng(seed)
    baseline = rng.beta(5, 2, rng.integers(50, 3000))
    current = rng.beta(rng.uniform(2, 8), 2, rng.integers(50, 3000))
    expected = psi_from_scores([bucket_of(s) for s in baseline], [bucket_of(s) for s in current])
    assert psi(Histogram.from_scores(baseline), Histogram.from_scores(current)) == pytest.approx(
        expected, rel=1e-12, abs=1e-15
    )


@pytest.mark.parametrize("seed", range(8))
def test_psi_from_scores_matches_a_numpy_reference(seed: int) -> None:
    """psi_from_scores equals an independent numpy PSI with inverted-CDF deciles."""
    rng = np.random.default_rng(100 + seed)
    baseline = rng.beta(5, 2, rng.integers(1, 4000))
    current = rng.beta(rng.uniform(2, 8), 2, rng.integers(1, 4000))
    assert psi_from_scores(list(baseline), list(current)) == pytest.approx(
        numpy_psi(baseline, current), rel=1e-12, abs=1e-15
    )


@pytest.mark.parametrize("seed", range(5))
def test_psi_on_the_bucket_grid_is_close_to_psi_on_raw_scores(seed: int) -> None:
    """With 2,000+ scores a side, quantizing to 0.001 moves PSI by less than 0.01."""
    rng = np.random.default_rng(200 + seed)
    baseline = rng.beta(5, 2, 2000)
    current = rng.beta(rng.uniform(3, 7), 2, 2500)
    on_grid = psi(Histogram.from_scores(baseline), Histogram.from_scores(current))
    assert on_grid == pytest.approx(psi_from_scores(list(baseline), list(current)), abs=0.01)


def test_ks_hand_computed_on_interleaved_scores() -> None:
    """Baseline {0.1, 0.3} against current {0.2, 0.4} has D = 0.5 and p-value 1."""
    # F_r - F_c after 0.1: 0.5 - 0; after 0.2: 0.5 - 0.5; after 0.3: 1 - 0.5; after 0.4: 0.
    # n = round(2·2 / 4) = 1, and D_1 = max(U, 1 - U) is always >= 0.5, so P(D_1 >= 0.5) = 1.

    result = ks_statistic(Histogram.from_scores([0.1, 0.3]), Histogram.from_scores([0.2, 0.4]))
    assert result.statistic == 0.5
    assert result.p_value == 1.0


def test_kolmogorov_sf_hand_computed_values() -> None:
    """The KS tail matches closed forms: n=1, Ruben-Gambino for n=2, and the 5% point."""

    # n = 1: P(max(U, 1 - U) >= d) = 2(1 - d), so 0.5 at d = 0.75.
    assert kolmogorov_sf(0.75, 1) == pytest.approx(0.5, rel=1e-12)
    # n = 2, d = 0.4 (1/4 <= d <= 1/2): P(D <= d) = 2!/2² · (2·2·0.4 - 1)² = 0.5·0.36 = 0.18.
    assert kolmogorov_sf(0.4, 2) == pytest.approx(0.82, rel=1e-12)
    # Large n: the Kolmogorov distribution's 5% point is sqrt(n)·d = 1.3581.
    assert kolmogorov_sf(1.3581 / 1000, 1_000_000) == pytest.approx(0.05, abs=2e-4)
    assert kolmogorov_sf(0.0, 50) == 1.0
    assert kolmogorov_sf(1.0, 50) == 0.0


@pytest.mark.parametrize("seed", range(12))
def test_ks_matches_scipy_asymp_on_quantized_samples(seed: int) -> None:
    """D equals scipy's ks_2samp exactly, and the p-value is within 2e-4 of method='asymp'."""

    rng = np.random.default_rng(300 + seed)
    baseline = rng.beta(5, 2, rng.integers(40, 5000))
    current = rng.beta(5 + rng.uniform(-0.6, 0.6), 2, rng.integers(40, 5000))
    reference = ks_2samp(
        [bucket_of(s) for s in baseline], [bucket_of(s) for s in current], method="asymp"
    )
    result = ks_statistic(Histogram.from_scores(baseline), Histogram.from_scores(current))
    assert result.statistic == reference.statistic
    assert result.p_value == pytest.approx(reference.pvalue, abs=2e-4)


def test_ks_p_value_is_tiny_for_a_clear_shift_and_scipy_agrees() -> None:
    """A large shift gives a p-value near 0 that matches scipy to within 1% relative."""

    rng = np.random.default_rng(42)
    baseline = rng.beta(5, 2, 1500)
    current = rng.beta(4.2, 2, 1200)
    reference = ks_2samp(
        [bucket_of(s) for s in baseline], [bucket_of(s) for s in current], method="asymp"
    )
    result = ks_statistic(Histogram.from_scores(baseline), Histogram.from_scores(current))
    assert reference.pvalue < 0.01
    assert result.p_value == pytest.approx(reference.pvalue, rel=0.01)


def test_ks_refuses_an_empty_window() -> None:
    """KS of an empty window is refused rather than reported as D = 0."""

    with pytest.raises(ValueError, match="at least one score"):
        ks_statistic(Histogram.from_scores([0.5]), Histogram())


@pytest.mark.parametrize(
    ("value", "state"),
    [(0.0, State.OK), (0.0999, State.OK), (0.1, State.WATCH), (0.25, State.WATCH),
     (0.2501, State.ACT), (6.05, State.ACT)],
)  # fmt: skip
def test_drift_state_bands(value: float, state: State) -> None:
    """PSI under 0.1 is ok, 0.1 to 0.25 inclusive is watch, over 0.25 is act."""
    assert drift_state(value, 2000, 2000).state is state


def test_drift_state_reason_names_the_numbers() -> None:
    """An act reason names the PSI, the limit and both windows in one sentence."""
    state, reason = drift_state(0.31, 2000, 1800)
    assert state is State.ACT
    assert reason.startswith("PSI 0.31 is over 0.25: the confidence scores of the last 7 days")
    assert "28 days before" in reason
    assert reason.endswith(".") and reason.count(". ") == 0


def test_drift_state_needs_enough_scores_in_each_window() -> None:
    """Fewer than 200 scores in either window is insufficient-data, naming the short window."""
    state, reason = drift_state(3.0, 2000, 150)
    assert state is State.INSUFFICIENT_DATA
    assert "Only 150 scores in the last 7 days" in reason
    assert "at least 200" in reason
    state, reason = drift_state(3.0, 120, 150, min_n=200)
    assert "150 scores in the last 7 days and 120 scores in the 28 days before" in reason
    assert drift_state(None, 500, 500).state is State.INSUFFICIENT_DATA
    assert "not computed" in drift_state(None, 500, 500).reason
    assert drift_state(0.05, 200, 200).state is State.OK


def test_assess_drift_on_empty_windows_reports_no_numbers() -> None:
    """An empty window gives value and KS None and insufficient-data, never a crash."""
    assessment = assess_drift(Histogram(), Histogram.from_scores([0.4] * 300))
    assert assessment.value is None and assessment.ks is None and assessment.ks_p_value is None
    assert (assessment.n_baseline, assessment.n_current) == (0, 300)
    assert assessment.state is State.INSUFFICIENT_DATA


def test_assess_drift_flags_a_moved_distribution_with_configured_thresholds() -> None:
    """A clearly moved tag is act, with PSI and KS filled in, under the configured windows."""
    rng = np.random.default_rng(5)
    baseline = Histogram.from_scores(rng.beta(8, 2, 2000))
    current = Histogram.from_scores(rng.beta(2, 2, 2000))
    assessment = assess_drift(baseline, current, Thresholds(drift_current_days=14))
    assert assessment.state is State.ACT
    assert assessment.value is not None and assessment.value > 1
    assert assessment.ks is not None and assessment.ks > 0.5
    assert "the last 14 days" in assessment.reason
