"""The experiment statistics against worked examples, scipy, and simulation (A/A and known
effects, each looked at daily)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from opsbot.experiments import statistics as st


def test_rho_is_eq_161_worked_by_hand() -> None:
    """For alpha 0.05 tuned to 5,000 outcomes, rho = sqrt((5.99146 + ln 6.99146) / 5000)."""
    # -2 ln 0.05 = 5.991465; ln(1 + 5.991465) = 1.944700; (5.991465 + 1.944700) / 5000
    assert st.rho(0.05, 5000) == pytest.approx(math.sqrt(7.936165 / 5000), rel=1e-6)
    assert st.rho(0.05, 5000) == pytest.approx(0.0398401, rel=1e-5)


def test_half_width_is_where_the_mixture_martingale_reaches_one_over_alpha() -> None:
    """At the interval's edge Robbins' normal mixture equals 1/alpha, and the always-valid
    p-value crosses alpha exactly there."""
    rho = st.rho(0.05, 8000)
    base = st.Estimate(0.0, 0.0002, 6000)
    reach = st.half_width(base, alpha=0.05, rho_=rho)
    edge = st.Estimate(reach, 0.0002, 6000)
    n, sigma2 = edge.total, edge.variance * edge.total
    mixture = math.exp(rho**2 * (n * reach) ** 2 / (2 * sigma2 * (1 + n * rho**2))) / math.sqrt(
        1 + n * rho**2
    )
    assert mixture == pytest.approx(1 / 0.05, rel=1e-9)
    assert st.always_valid_p(edge, rho_=rho) == pytest.approx(0.05, rel=1e-9)
    inside = st.Estimate(reach * 0.99, 0.0002, 6000)
    outside = st.Estimate(reach * 1.01, 0.0002, 6000)
    assert 0 in st.confidence_sequence(inside, alpha=0.05, rho_=rho)
    assert st.always_valid_p(inside, rho_=rho) > 0.05
    assert 0 not in st.confidence_sequence(outside, alpha=0.05, rho_=rho)
    assert st.always_valid_p(outside, rho_=rho) < 0.05


def test_the_sequence_is_wider_than_a_one_look_interval_and_tightest_near_its_tuning() -> None:
    """Always valid costs width: wider than the 95% Wald interval at every size, and relative
    to it narrowest around the tuned N*."""
    rho = st.rho(0.05, 10_000)
    ratios = []
    for n in (1_000, 3_000, 10_000, 30_000, 100_000):
        estimate = st.Estimate(0.0, 0.25 * 4 / n, n)  # two arms of p = 0.5, n/2 each
        wald = stats.norm.ppf(0.975) * math.sqrt(estimate.variance)
        ratios.append(st.half_width(estimate, alpha=0.05, rho_=rho) / wald)
    assert all(r > 1 for r in ratios)
    assert ratios.index(min(ratios)) == 2


def test_rate_difference_worked_example() -> None:
    """120/1000 against 150/1000: +0.03, variance .12·.88/1000 + .15·.85/1000 = 0.0002331."""
    estimate = st.rate_difference(st.Proportion(120, 1000), st.Proportion(150, 1000))
    assert estimate is not None
    assert estimate.value == pytest.approx(0.03)
    assert estimate.variance == pytest.approx(0.0002331)
    assert estimate.total == 2000
    assert st.rate_difference(st.Proportion(0, 0), st.Proportion(1, 2)) is None


def test_cost_delta_method_matches_the_spread_of_simulated_estimates() -> None:
    """The delta-method variance of the relative cost per success is within 10% of the variance
    of the estimate over 3,000 simulated pairs of arms."""
    rng = np.random.default_rng(11)
    reps, n = 3000, 1500

    def arm(mean_cost: float, p_success: float) -> list[st.CostSums]:
        cost = rng.lognormal(math.log(mean_cost), 0.8, size=(reps, n))
        success = rng.random((reps, n)) < p_success
        return [
            st.CostSums(n, int(s.sum()), float(c.sum()), float((c * c).sum()), float(c[s].sum()))
            for c, s in zip(cost, success, strict=True)
        ]

    pairs = list(zip(arm(0.02, 0.7), arm(0.022, 0.75), strict=True))
    estimates = [st.relative_cost_difference(c, t) for c, t in pairs]
    values = np.array([e.value for e in estimates if e is not None])
    predicted = np.mean([e.variance for e in estimates if e is not None])
    assert predicted == pytest.approx(values.var(ddof=1), rel=0.10)
    # the true relative difference: (0.022 / 0.75) / (0.02 / 0.7) - 1 = +2.67%
    assert values.mean() == pytest.approx(0.022 / 0.75 / (0.02 / 0.7) - 1, abs=0.003)


def test_cost_difference_is_undefined_without_successes() -> None:
    """An arm without a success has no cost per success: no estimate, not zero or infinity."""
    none = st.CostSums(10, 0, 1.0, 0.2, 0.0)
    some = st.CostSums(10, 5, 1.0, 0.2, 0.5)
    assert st.relative_cost_difference(none, some) is None
    assert st.relative_cost_difference(some, none) is None


def test_sample_ratio_worked_example_and_scipy() -> None:
    """5,210 against 4,790 at 50/50: chi-square 17.64 on one degree of freedom."""
    # (5210 - 5000)² / 5000 + (4790 - 5000)² / 5000 = 8.82 + 8.82
    assert st.sample_ratio_p(5210, 4790, 0.5) == pytest.approx(stats.chi2.sf(17.64, 1), rel=1e-9)
    assert st.sample_ratio_p(5210, 4790, 0.5) < st.SRM_P
    assert st.sample_ratio_p(9000, 1000, 0.1) == pytest.approx(1.0)
    reference = stats.chisquare([4400, 5700], f_exp=[10100 * 0.45, 10100 * 0.55]).pvalue
    assert st.sample_ratio_p(4400, 5700, 0.55) == pytest.approx(reference, rel=1e-9)
    assert st.sample_ratio_p(0, 0, 0.5) is None


def test_tuning_total_is_the_textbook_sample_size() -> None:
    """To find 2 pp on a 50% rate at alpha 0.05 with 80% power: 9,812 per arm, 19,624 in all."""
    # per arm = (z_.975 + z_.8)² (p1 q1 + p2 q2) / d² = 2.8015852² · 0.5 / 0.0004 = 9,811.1
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert math.ceil(z**2 * 0.5 / 0.0004) == 9812
    assert st.tuning_total(0.02, 0.25) == 19624
    assert st.rate_unit_variance(None) == 0.25
    assert st.rate_unit_variance(0.1) == pytest.approx(0.09)
    assert st.cost_unit_variance(None) == 1.0


# ---- simulation: many experiments, looked at once a day -------------------------------------
def _daily_rates(
    rng: np.random.Generator, sims: int, days: int, per_day: int, p_control: float, p_treat: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative (events, trials) per arm after each day, shape (sims, days)."""
    trials_c = np.cumsum(rng.poisson(per_day, (sims, days)), axis=1)
    trials_t = np.cumsum(rng.poisson(per_day, (sims, days)), axis=1)
    events_c = np.cumsum(rng.binomial(np.diff(trials_c, prepend=0, axis=1), p_control), axis=1)
    events_t = np.cumsum(rng.binomial(np.diff(trials_t, prepend=0, axis=1), p_treat), axis=1)
    return events_c, trials_c, events_t, trials_t


def _excludes_zero_ever(
    events_c: np.ndarray,
    trials_c: np.ndarray,
    events_t: np.ndarray,
    trials_t: np.ndarray,
    *,
    reach: str,
    rho: float,
) -> np.ndarray:
    """Per simulated experiment: whether some daily look's interval left out 0, and at which
    look first (the index, or -1)."""
    pc, pt = events_c / trials_c, events_t / trials_t
    variance = pc * (1 - pc) / trials_c + pt * (1 - pt) / trials_t
    n = trials_c + trials_t
    if reach == "sequence":
        mix = n * rho**2 + 1
        half = np.sqrt(variance * n * 2 * mix / (n * rho) ** 2 * np.log(np.sqrt(mix) / 0.05))
    else:  # the one-look 95% Wald interval, wrongly looked at every day
        half = stats.norm.ppf(0.975) * np.sqrt(variance)
    hit = np.abs(pt - pc) > half
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


def test_a_a_daily_looks_keep_false_positives_at_or_below_alpha() -> None:
    """4,000 A/A experiments looked at daily for 28 days: the always-valid interval leaves out
    0 at some look in at most 5% of them, where the one-look interval peeked at daily does in
    far more (the simulation can tell the two apart)."""
    rng = np.random.default_rng(2024)
    rho = st.rho(0.05, st.tuning_total(0.02, st.rate_unit_variance(0.8)))
    looks = _daily_rates(rng, 4000, 28, 300, 0.8, 0.8)
    sequential = _excludes_zero_ever(*looks, reach="sequence", rho=rho)
    peeking = _excludes_zero_ever(*looks, reach="wald", rho=rho)
    false_positive_rate = float((sequential >= 0).mean())
    peeking_rate = float((peeking >= 0).mean())
    print(
        f"A/A false-positive rate: sequential {false_positive_rate:.4f}, peeking {peeking_rate:.4f}"
    )
    assert false_positive_rate <= 0.05
    assert peeking_rate > 0.15


def test_a_a_through_the_library_functions_matches_the_vectorised_check() -> None:
    """The same A/A check through ``confidence_sequence`` itself (300 experiments, 21 looks):
    no more than alpha of them ever leave out 0."""
    rng = np.random.default_rng(99)
    rho = st.rho(0.05, st.tuning_total(0.02, 0.25))
    events_c, trials_c, events_t, trials_t = _daily_rates(rng, 300, 21, 200, 0.5, 0.5)
    ever = 0
    for i in range(300):
        for day in range(21):
            estimate = st.rate_difference(
                st.Proportion(int(events_c[i, day]), int(trials_c[i, day])),
                st.Proportion(int(events_t[i, day]), int(trials_t[i, day])),
            )
            assert estimate is not None
            if 0 not in st.confidence_sequence(estimate, alpha=0.05, rho_=rho):
                ever += 1
                break
    assert ever / 300 <= 0.05


def test_a_real_effect_is_found_and_its_sign_is_right() -> None:
    """With a true +3 pp on an 80% rate (MDE 2 pp), 500 simulated experiments mostly find it
    within 28 daily looks, and none finds it the wrong way round."""
    rng = np.random.default_rng(5)
    rho = st.rho(0.05, st.tuning_total(0.02, st.rate_unit_variance(0.8)))
    events_c, trials_c, events_t, trials_t = _daily_rates(rng, 500, 28, 400, 0.80, 0.83)
    first = _excludes_zero_ever(events_c, trials_c, events_t, trials_t, reach="sequence", rho=rho)
    found = first >= 0
    assert found.mean() >= 0.8
    rows = np.flatnonzero(found)
    at = first[rows]
    difference = events_t[rows, at] / trials_t[rows, at] - events_c[rows, at] / trials_c[rows, at]
    assert (difference > 0).all()


def test_a_a_on_cost_per_success_keeps_false_positives_at_or_below_alpha() -> None:
    """600 A/A experiments on cost per success (lognormal costs, 70% success), 21 daily looks:
    at most 5% ever show a difference."""
    rng = np.random.default_rng(31)
    sims, days, per_day = 600, 21, 150
    rho = st.rho(0.05, st.tuning_total(0.1, 1.0))
    sums = np.zeros((2, sims, 5))  # outcomes, successes, cost, cost², success cost
    ever = np.zeros(sims, dtype=bool)
    for _ in range(days):
        for arm in range(2):
            cost = rng.lognormal(math.log(0.02), 0.8, size=(sims, per_day))
            success = rng.random((sims, per_day)) < 0.7
            sums[arm] += np.stack(
                [
                    np.full(sims, per_day),
                    success.sum(axis=1),
                    cost.sum(axis=1),
                    (cost * cost).sum(axis=1),
                    (cost * success).sum(axis=1),
                ],
                axis=1,
            )
        for i in np.flatnonzero(~ever):
            control, treatment = (
                st.CostSums(int(s[0]), int(s[1]), s[2], s[3], s[4]) for s in sums[:, i]
            )
            estimate = st.relative_cost_difference(control, treatment)
            assert estimate is not None
            ever[i] = 0 not in st.confidence_sequence(estimate, alpha=0.05, rho_=rho)
    assert ever.mean() <= 0.05
