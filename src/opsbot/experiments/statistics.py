"""The statistics of an experiment: effects between two arms, an always-valid confidence
sequence around each, and the sample-ratio check. Plain numbers in, plain numbers out.

The confidence sequence is the asymptotic one of Waudby-Smith, Arnold, Wu, Wang and Ramdas
("Time-uniform central limit theory and asymptotic confidence sequences", 2023), built on
Robbins' normal mixture, which GrowthBook and Eppo use for their sequential tests: for an
estimate ``d`` of the difference between the arms from ``N`` outcomes in all, with
``sigma^2 = N * Var(d)``, the interval at every look is

    d +- sigma * sqrt( 2 (N rho^2 + 1) / (N rho)^2 * ln( sqrt(N rho^2 + 1) / alpha ) )

and the chance that it ever leaves out the true difference, however often it is looked at, is
at most ``alpha`` (asymptotically). The mixing parameter ``rho`` sets where it is tightest:
``rho^2 = (-2 ln alpha + ln(1 - 2 ln alpha)) / N*`` makes it tightest at ``N*`` outcomes (their
eq. 161; GrowthBook's ``sequential_rho``). opsbot takes ``N*`` from the smallest effect worth
detecting: the outcomes a one-look test would need to find that effect with 80% power
(``tuning_total``), fixed at registration so that it can never move with the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ALPHA = 0.05
POWER = 0.8  # of the one-look test that sizes N*
SRM_P = 0.001  # a split this unlikely under the planned one is a sample-ratio mismatch


@dataclass(frozen=True)
class Proportion:
    """An arm's events out of its trials (successes of outcomes, passes of eval cases…)."""

    events: int
    trials: int

    @property
    def rate(self) -> float | None:
        return self.events / self.trials if self.trials else None


@dataclass(frozen=True)
class CostSums:
    """An arm's outcomes with their cost: how many, how many succeeded, and the sums that give
    cost per successful outcome and its variance (Σ cost, Σ cost², Σ cost of the successes)."""

    outcomes: int
    successes: int
    cost: float
    cost_squares: float
    success_cost: float

    @property
    def per_success(self) -> float | None:
        return self.cost / self.successes if self.successes else None


@dataclass(frozen=True)
class Estimate:
    """A difference between the arms (treatment minus control), its variance, and the outcomes
    it rests on (both arms together)."""

    value: float
    variance: float
    total: int


@dataclass(frozen=True)
class Interval:
    """A confidence sequence's interval at one look."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def rate_difference(control: Proportion, treatment: Proportion) -> Estimate | None:
    """Treatment's rate minus control's, with the unpooled (Wald) variance; None when an arm
    has no trials."""
    pc, pt = control.rate, treatment.rate
    if pc is None or pt is None:
        return None
    variance = pc * (1 - pc) / control.trials + pt * (1 - pt) / treatment.trials
    return Estimate(pt - pc, variance, control.trials + treatment.trials)


def _ratio_variance(arm: CostSums) -> tuple[float, float]:
    """Cost per success of an arm and the delta-method variance of that ratio of means."""
    n = arm.outcomes
    mean_cost, mean_success = arm.cost / n, arm.successes / n
    ratio = mean_cost / mean_success
    var_cost = max(arm.cost_squares / n - mean_cost**2, 0.0)
    var_success = mean_success * (1 - mean_success)
    covariance = arm.success_cost / n - mean_cost * mean_success
    spread = max(var_cost - 2 * ratio * covariance + ratio**2 * var_success, 0.0)
    return ratio, spread / (n * mean_success**2)


def relative_cost_difference(control: CostSums, treatment: CostSums) -> Estimate | None:
    """Treatment's cost per successful outcome over control's, minus 1 (+0.1 is 10% dearer),
    by the delta method; None when an arm has no success (its cost per success is undefined)."""
    if not (control.successes and treatment.successes):
        return None
    rc, vc = _ratio_variance(control)
    rt, vt = _ratio_variance(treatment)
    if rc == 0:
        return None  # free control: no relative change is defined
    # Var(rt / rc) ≈ vt / rc² + rt² vc / rc⁴ (first-order, the arms independent)
    variance = vt / rc**2 + rt**2 * vc / rc**4
    return Estimate(rt / rc - 1, variance, control.outcomes + treatment.outcomes)


def rho(alpha: float, tuning_total: float) -> float:
    """The mixing parameter that makes the sequence tightest at ``tuning_total`` outcomes."""
    log_alpha = math.log(alpha)
    return math.sqrt((-2 * log_alpha + math.log(1 - 2 * log_alpha)) / tuning_total)


def half_width(estimate: Estimate, *, alpha: float, rho_: float) -> float:
    """How far the always-valid interval reaches on each side of the estimate."""
    n = estimate.total
    spread = estimate.variance * n  # sigma^2: one outcome's share of the estimate's variance
    mix = n * rho_**2 + 1
    return math.sqrt(spread * 2 * mix / (n * rho_) ** 2 * math.log(math.sqrt(mix) / alpha))


def confidence_sequence(estimate: Estimate, *, alpha: float, rho_: float) -> Interval:
    """The interval at this look; it holds the true difference at every look with chance
    at least 1 - alpha."""
    reach = half_width(estimate, alpha=alpha, rho_=rho_)
    return Interval(estimate.value - reach, estimate.value + reach)


def always_valid_p(estimate: Estimate, *, rho_: float) -> float:
    """The always-valid p-value of "no difference": 1 over the mixture martingale (capped at
    1); it is under alpha exactly when the interval leaves out 0."""
    if estimate.variance <= 0:
        return 1.0 if estimate.value == 0 else 0.0
    n = estimate.total
    z2 = estimate.value**2 / estimate.variance  # (S_n / sigma)^2 of the standardized sum
    mix = n * rho_**2 + 1
    log_e = rho_**2 * n * z2 / (2 * mix) - 0.5 * math.log(mix)
    return float(min(1.0, math.exp(-log_e)))


def tuning_total(min_effect: float, unit_variance: float, *, alpha: float = ALPHA) -> int:
    """N*: the outcomes (both arms, split evenly) a one-look two-sided test at ``alpha`` needs
    to find ``min_effect`` with 80% power, when one outcome's variance is ``unit_variance``."""
    from scipy import special  # here, not at import: scipy takes seconds to load on a busy host

    z = special.ndtri(1 - alpha / 2) + special.ndtri(POWER)  # the normal quantiles
    per_arm = 2 * unit_variance * (z / min_effect) ** 2
    return max(2, 2 * math.ceil(per_arm))


def rate_unit_variance(baseline: float | None) -> float:
    """One outcome's variance for a rate near ``baseline`` (the worst case, 0.25, when unknown
    or degenerate)."""
    if baseline is None or not 0 < baseline < 1:
        return 0.25
    return baseline * (1 - baseline)


def cost_unit_variance(baseline: CostSums | None) -> float:
    """One outcome's variance of the relative cost per success (1, a coefficient of variation
    of 100%, when there is no baseline to read it from)."""
    if baseline is None or not baseline.successes or not baseline.cost:
        return 1.0
    ratio, variance = _ratio_variance(baseline)
    unit = variance * baseline.outcomes / ratio**2
    return unit if unit > 0 else 1.0


def sample_ratio_p(control: int, treatment: int, treatment_share: float) -> float | None:
    """The chi-square p-value of the arms' outcome counts against the planned split; None
    before any outcome."""
    total = control + treatment
    if total == 0:
        return None
    from scipy import special  # here, not at import: scipy takes seconds to load on a busy host

    expected = (total * (1 - treatment_share), total * treatment_share)
    chi2 = sum((seen - e) ** 2 / e for seen, e in zip((control, treatment), expected, strict=True))
    # scipy.stats.chisquare's p-value (one degree of freedom), without its per-call overhead
    return float(special.chdtrc(1, chi2))
