"""Every default the dashboard's rules use, in one dataclass the configuration can override."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from opsbot.errors import ConfigError

HOUR = 3_600
DAY = 86_400


def _default_remediation_targets() -> dict[str, int]:
    return {"sev1": 4 * HOUR, "sev2": 24 * HOUR, "sev3": 72 * HOUR, "sev4": 7 * DAY}


@dataclass(frozen=True)
class Thresholds:
    """Windows (days), minimum sizes and bands; override with `dataclasses.replace` or kwargs."""

    # Confidence-distribution drift: the last 7 days against the 28 days before them.
    drift_current_days: int = 7
    drift_baseline_days: int = 28
    drift_min_n: int = 200
    psi_bins: int = 10
    # Share given to an empty bin on the side where it is empty; PSI depends on it.
    psi_epsilon: float = 1e-4
    psi_watch: float = 0.1
    psi_act: float = 0.25

    # Eval pass rate: the latest run of a suite against its threshold and the runs before it.
    eval_threshold: float = 1.0
    eval_previous_runs: int = 4

    # Override and escalation rates: this week against the mean of the previous four weeks.
    rates_current_days: int = 7
    rates_baseline_days: int = 28
    rate_min_decisions: int = 20
    rate_watch_ratio: float = 1.25
    rate_act_ratio: float = 1.5

    # Cost-to-outcome: the last 7 days against the 28 days before (same windows as the rates).
    cost_watch_ratio: float = 1.25
    cost_act_ratio: float = 1.5

    # Time-to-remediation (declared → last fix verified): incidents resolved in the last 90 days.
    remediation_days: int = 90
    remediation_targets: dict[str, int] = field(default_factory=_default_remediation_targets)

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, int | float) and value < 0:
                raise ConfigError(f"dashboard.{spec.name} is {value}; it must not be negative.")
        self._require(self.psi_watch <= self.psi_act, "psi_watch", "psi_act")
        self._require(
            self.rate_watch_ratio <= self.rate_act_ratio, "rate_watch_ratio", "rate_act_ratio"
        )
        self._require(
            self.cost_watch_ratio <= self.cost_act_ratio, "cost_watch_ratio", "cost_act_ratio"
        )
        if self.psi_bins < 2:
            raise ConfigError(f"dashboard.psi_bins is {self.psi_bins}; PSI needs at least 2 bins.")
        if not 0 < self.psi_epsilon < 1:
            raise ConfigError(
                f"dashboard.psi_epsilon is {self.psi_epsilon}; use a small share such as 0.0001."
            )
        if not 0 <= self.eval_threshold <= 1:
            raise ConfigError(
                f"dashboard.eval_threshold is {self.eval_threshold}; "
                "write it as a share between 0 and 1."
            )
        for severity, seconds in self.remediation_targets.items():
            if seconds <= 0:
                raise ConfigError(
                    f"dashboard.remediation_targets.{severity} is {seconds}; "
                    "use a positive number of seconds."
                )

    def remediation_target(self, severity: str) -> int:
        """The time-to-remediation target, in seconds, for a severity such as 'sev1'."""
        try:
            return self.remediation_targets[severity]
        except KeyError:
            known = ", ".join(sorted(self.remediation_targets))
            raise ConfigError(
                f"No time-to-remediation target for severity {severity!r}; "
                f"configure one of: {known}."
            ) from None

    @staticmethod
    def _require(ok: bool, low: str, high: str) -> None:
        if not ok:
            raise ConfigError(f"dashboard.{low} must not be above dashboard.{high}.")
