"""The two-sample Kolmogorov-Smirnov test on confidence histograms, in pure Python."""

from __future__ import annotations

import math
from typing import NamedTuple

from opsbot.telemetry.histogram import Histogram

_PI2 = math.pi**2
_PI4 = math.pi**4
_PI6 = math.pi**6
_SQRT2PI = math.sqrt(2 * math.pi)
_SQRT3 = math.sqrt(3)
_MIN_LOG = -708.0  # exp() of anything lower underflows a double


class KSResult(NamedTuple):
    """The KS statistic D and its two-sided p-value."""

    statistic: float
    p_value: float


def ks_statistic(baseline: Histogram, current: Histogram) -> KSResult:
    """D = sup |F_r - F_c| over bucket edges, exact for scores on the 0.001 grid, and its p-value.

    The p-value follows scipy.stats.ks_2samp(method="asymp"): the two-sided one-sample
    Kolmogorov distribution at n = round(n_r·n_c / (n_r + n_c)); see `kolmogorov_sf`.
    """
    n_r, n_c = baseline.total, current.total
    if not n_r or not n_c:
        raise ValueError("The KS test needs at least one score in each window.")
    d = 0.0
    seen_r = seen_c = 0
    for count_r, count_c in zip(baseline.counts, current.counts, strict=True):
        seen_r += count_r
        seen_c += count_c
        d = max(d, abs(seen_r / n_r - seen_c / n_c))
    big, small = max(n_r, n_c), min(n_r, n_c)
    effective_n = round(float(big) * float(small) / (float(big) + float(small)))
    return KSResult(d, kolmogorov_sf(d, max(effective_n, 1)))


def kolmogorov_sf(d: float, n: int) -> float:
    """P(D_n ≥ d) for the two-sided one-sample KS statistic of n observations.

    Exact at the ends (Ruben-Gambino for n·d ≤ 1 and n·d ≥ n - 1, twice Smirnov's one-sided
    tail for d ≥ 0.5); in the far tail of small n twice Smirnov's tail, as scipy; else the
    Pelz-Good (1976) expansion of the Kolmogorov distribution to O(n^-3/2), as scipy for large
    n. Within 2e-4 of scipy.stats.kstwo for n ≥ 20 and within 2e-6 for n ≥ 200; O(n) at most.
    """
    if n < 1:
        raise ValueError(f"The Kolmogorov distribution needs n ≥ 1, not {n}.")
    if d <= 0.0:
        return 1.0
    if d >= 1.0:
        return 0.0
    t = n * d
    if t <= 0.5:
        return 1.0
    if t <= 1.0:
        log_cdf = math.lgamma(n + 1) - n * math.log(n) + n * math.log(2 * t - 1)
        return _clip(1.0 - math.exp(log_cdf))
    if t >= n - 1:
        return _clip(2 * (1.0 - d) ** n)
    if t * d >= 370.0:
        return 0.0
    if d >= 0.5 or (n <= 140 and t * d > 4.0):
        # Twice the one-sided tail: exact from d = 0.5 on, and scipy's choice for small n.
        return _clip(2 * _smirnov_sf(n, d))
    return _clip(1.0 - _pelz_good_cdf(n, d))


def _smirnov_sf(n: int, d: float) -> float:
    """P(D+_n >= d), Birnbaum-Tingey: d * sum_j C(n,j) (1-d-j/n)^(n-j) (d+j/n)^(j-1)."""
    total = 0.0
    log_n_factorial = math.lgamma(n + 1)
    for j in range(math.floor(n * (1 - d)) + 1):
        below = 1 - d - j / n
        if below <= 0:
            continue
        log_term = (
            log_n_factorial
            - math.lgamma(j + 1)
            - math.lgamma(n - j + 1)
            + (n - j) * math.log(below)
            + (j - 1) * math.log(d + j / n)
        )
        total += math.exp(log_term)
    return d * total


def _pelz_good_cdf(n: int, x: float) -> float:
    """Pelz-Good: P(D_n ≤ x) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5 with z = x·√n."""
    z = math.sqrt(n) * x
    z2, z3, z4, z6 = z**2, z**3, z**4, z**6
    qlog = -_PI2 / 8 / z2
    if qlog < _MIN_LOG:
        return 0.0
    q = math.exp(qlog)

    k1a, k1b = -z2, _PI2 / 4
    k2a = 6 * z6 + 2 * z4
    k2b = (2 * z4 - 5 * z2) * _PI2 / 4
    k2c = _PI4 * (1 - 2 * z2) / 16
    k3d = _PI6 * (5 - 30 * z2) / 64
    k3c = _PI4 * (-60 * z2 + 212 * z4) / 16
    k3b = _PI2 * (135 * z4 - 96 * z6) / 4
    k3a = -30 * z6 - 90 * z**8

    # Horner scheme over the odd terms m = 2k - 1 of Σ c_m q^(m²).
    terms = [0.0, 0.0, 0.0, 0.0]
    max_k = math.ceil(16 * z / math.pi)
    for k in range(max_k, 0, -1):
        m2 = (2 * k - 1) ** 2
        power = q ** (8 * k)
        coeffs = (
            1.0,
            k1a + k1b * m2,
            k2a + k2b * m2 + k2c * m2**2,
            k3a + k3b * m2 + k3c * m2**2 + k3d * m2**3,
        )
        terms = [term * power + coeff for term, coeff in zip(terms, coeffs, strict=True)]
    scale = (z, 6 * z4, 72 * z**7, 6480 * z**10)
    terms = [term * q * _SQRT2PI / divisor for term, divisor in zip(terms, scale, strict=True)]

    # The remaining sums over all integers k, for K2 and K3.
    q = math.exp(-_PI2 / 2 / z2)
    k2_extra = k3_extra = 0.0
    for k in range(max_k, 0, -1):
        weighted = k * k * q ** (k * k)
        k2_extra += weighted
        k3_extra += (_SQRT3 * z + math.pi * k) * (_SQRT3 * z - math.pi * k) * weighted
    terms[2] += k2_extra * _PI2 * _SQRT2PI / (-36 * z3)
    terms[3] += k3_extra * _PI2 * _SQRT2PI / (216 * z6)
    return sum(term / n ** (index / 2) for index, term in enumerate(terms))


def _clip(probability: float) -> float:
    return min(1.0, max(0.0, probability))
