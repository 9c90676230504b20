"""The dashboard's configurable defaults."""

from __future__ import annotations

import dataclasses

import pytest

from opsbot.dashboard.model import Thresholds
from opsbot.errors import ConfigError


def test_defaults_match_the_design() -> None:
    """Drift 7 vs 28 days with 200 scores, PSI bands 0.1/0.25, rates 7 vs 28 days, eval 100%."""
    limits = Thresholds()
    assert (limits.drift_current_days, limits.drift_baseline_days, limits.drift_min_n) == (
        7,
        28,
        200,
    )
    assert (limits.psi_bins, limits.psi_epsilon, limits.psi_watch, limits.psi_act) == (
        10,
        1e-4,
        0.1,
        0.25,
    )
    assert (limits.rates_current_days, limits.rates_baseline_days) == (7, 28)
    assert (limits.rate_watch_ratio, limits.rate_act_ratio, limits.rate_min_decisions) == (
        1.25,
        1.5,
        20,
    )
    assert limits.eval_threshold == 1.0


def test_configuration_overrides_a_default() -> None:
    """replace() overrides one value and keeps the others."""
    limits = dataclasses.replace(Thresholds(), psi_act=0.3, remediation_targets={"sev1": 3600})
    assert limits.psi_act == 0.3 and limits.psi_watch == 0.1
    assert limits.remediation_target("sev1") == 3600


@pytest.mark.parametrize(
    "overrides",
    [{"psi_watch": 0.3}, {"rate_act_ratio": 1.1}, {"drift_min_n": -1}, {"psi_bins": 1},
     {"psi_epsilon": 0.0}, {"eval_threshold": 95}, {"remediation_targets": {"sev1": 0}}],
)  # fmt: skip
def test_inconsistent_settings_are_refused(overrides: dict[str, object]) -> None:
    """Bands out of order, negative sizes and percentages written as 95 are ConfigErrors."""
    with pytest.raises(ConfigError, match="dashboard"):
        Thresholds(**overrides)


def test_unknown_severity_names_the_configured_ones() -> None:
    """Asking for a severity with no target says which severities have one."""
    with pytest.raises(ConfigError, match="sev1, sev2, sev3, sev4"):
        Thresholds().remediation_target("sev9")
