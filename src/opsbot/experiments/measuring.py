"""An experiment's arms as numbers: its design read back from the record, and each arm's
totals over a window summed from telemetry's hourly rollups and eval runs (never raw rows, so
an experiment over 10 million outcomes reads a few thousand rollup rows)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from opsbot.config import Config
from opsbot.experiments import statistics as st
from opsbot.experiments.judgment import (
    ArmTotals,
)
from opsbot.experiments.model import (
    ArmKind,
    Design,
    Guardrail,
    Metric,
)
from opsbot.experiments.store import Experiment
from opsbot.telemetry import store as telemetry
from opsbot.telemetry.store import hour_of

BASELINE = timedelta(days=28)  # the window before the start that tunes the sequence


def design_of(experiment: Experiment) -> Design:
    """The design an experiment was registered with."""
    return Design(
        surface=experiment.surface,
        arm_kind=ArmKind(experiment.arm_kind),
        control=experiment.control,
        treatment=experiment.treatment,
        treatment_share=experiment.treatment_share,
        primary=Metric(experiment.primary_metric),
        guardrails=tuple(
            Guardrail(Metric(g["metric"]), float(g["tolerance"])) for g in experiment.guardrails
        ),
        min_effect=experiment.min_effect,
        min_days=experiment.min_days,
        min_sample=experiment.min_sample,
        alpha=experiment.alpha,
    )


def surface_tags(config: Config, surface: str) -> list[str]:
    """The telemetry tags of a configured surface (none when it left the configuration)."""
    found = [s for s in config.surfaces if s.key == surface]
    return list(found[0].tags) if found else []


def totals(
    session: Session, design: Design, tags: list[str], *, start: datetime, end: datetime
) -> tuple[ArmTotals, ArmTotals]:
    """(control, treatment) over the rollup hours from the one ``start`` falls in until
    ``end``."""
    arms = [design.control, design.treatment]
    by_tag = design.arm_kind == ArmKind.TAG
    sums = telemetry.arm_sums(
        session,
        by="tag" if by_tag else "version",
        arms=arms,
        tags=arms if by_tag else tags,
        start=hour_of(start),
        end=end,
    )
    cases = telemetry.pass_totals(session, tags=arms, start=start, end=end)
    found = []
    for arm in arms:
        kinds = sums[arm]
        found.append(
            ArmTotals(
                outcomes=sum(k.count for k in kinds.values()),
                successes=sum(k.successes for k in kinds.values()),
                overridden=kinds["overridden"].count if "overridden" in kinds else 0,
                escalated=kinds["escalated"].count if "escalated" in kinds else 0,
                cost=sum(k.cost for k in kinds.values()),
                cost_squares=sum(k.cost_squares for k in kinds.values()),
                success_cost=sum(k.success_cost for k in kinds.values()),
                cases=cases[arm][0],
                cases_passed=cases[arm][1],
            )
        )
    return found[0], found[1]


def tuning_total(session: Session, design: Design, tags: list[str], *, start: datetime) -> int:
    """N*: where the confidence sequence is tightest, from the smallest effect worth detecting
    and the control arm's variance in the four weeks before the start (the worst case when it
    has none). Data from before the start only, so it cannot be tuned to the result."""
    baseline, _ = totals(session, design, tags, start=start - BASELINE, end=hour_of(start))
    if design.primary == Metric.COST_PER_SUCCESS:
        variance = st.cost_unit_variance(baseline.costs() if baseline.outcomes else None)
    else:
        variance = st.rate_unit_variance(baseline.value(design.primary))
    return st.tuning_total(design.min_effect, variance, alpha=design.alpha)
