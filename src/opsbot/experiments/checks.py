"""Experiment refusals as a person reads them: a metric opsbot cannot compute, an amount it
cannot be, a design it could not judge fairly. Each names the field (its key in the API's
JSON and its block in the form) and says what to write instead."""

from __future__ import annotations

import math
import re

from opsbot.errors import OpsError
from opsbot.experiments.model import (
    ALIASES,
    MAX_DAYS,
    MAX_SAMPLE,
    METRIC_LIST,
    METRICS,
    MIN_SAMPLE,
    ArmKind,
    Design,
    Metric,
    format_amount,
)


class DesignProblem(OpsError):
    """A refusal of one field of a registration (``field``: its key in the API's JSON and its
    block in the form), so the form and the API can point at it."""

    def __init__(self, message: str, *, field: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


def metric_named(text: str, *, field: str = "primary_metric") -> Metric:
    """The metric a person named (``success-rate``, ``success rate`` and ``success_rate`` are
    one), or a refusal listing the ones opsbot computes."""
    word = re.sub(r"[\s-]+", "_", text.strip().lower())
    if word in ALIASES:
        return ALIASES[word]
    try:
        return Metric(word)
    except ValueError:
        raise DesignProblem(
            f"opsbot cannot compute the metric “{text.strip()[:60]}” from what it ingests.",
            field=field,
            hint=f"Use one of {METRIC_LIST}.",
        ) from None


def parse_amount(text: str, metric: Metric, what: str, *, field: str = "min_effect") -> float:
    """An effect or tolerance as typed: ``1pp`` or ``0.01`` for a rate, ``10%`` or ``0.1``
    for cost per success (relative)."""
    raw = text.strip().lower().replace(" ", "")
    info = METRICS[metric]
    scale = 1.0
    if raw.endswith("pp"):
        if info.relative:
            raise DesignProblem(
                f"The {what} of {info.label} is relative: write it as a share like 10% or 0.1.",
                field=field,
            )
        raw, scale = raw[:-2], 0.01
    elif raw.endswith("%"):
        if not info.relative:
            raise DesignProblem(
                f"Write the {what} of {info.label} in percentage points (1pp) or as a "
                "fraction (0.01): 1% of a rate could mean either.",
                field=field,
            )
        raw, scale = raw[:-1], 0.01
    try:
        value = float(raw) * scale
    except ValueError:
        example = "10%" if info.relative else "1pp"
        raise DesignProblem(
            f"“{text.strip()[:40]}” is not a number for the {what} of {info.label}.",
            field=field,
            hint=f"Write it like {example}.",
        ) from None
    return check_amount(value, metric, what, field=field)


def check_amount(value: float, metric: Metric, what: str, *, field: str) -> float:
    """``value`` when it can be an effect or tolerance of ``metric`` (0 to 1, or any share of
    cost), else a refusal."""
    info = METRICS[metric]
    if not math.isfinite(value) or value < 0 or (not info.relative and value > 1):
        limit = "at least 0" if info.relative else "between 0 and 1 (100 pp)"
        raise DesignProblem(f"The {what} of {info.label} must be {limit}.", field=field)
    return value


def check_design(design: Design, *, surface_tags: list[str]) -> None:
    """Refuse a design opsbot could not judge fairly; each refusal says what to change."""
    if design.control == design.treatment:
        raise DesignProblem(
            f"Both arms are “{design.control}”: an experiment compares two different "
            f"{design.arm_kind.value}s.",
            field="treatment",
        )
    if design.arm_kind == ArmKind.TAG:
        for name, arm in (("control", design.control), ("treatment", design.treatment)):
            if arm not in surface_tags:
                raise DesignProblem(
                    f"“{arm}” is not a telemetry tag of the surface {design.surface}.",
                    field=name,
                    hint="Its tags: " + ", ".join(surface_tags) + ". Or compare versions instead.",
                )
    if not 0 < design.treatment_share < 1:
        raise DesignProblem(
            "The treatment's share of traffic must be between 0% and 100%, like 50%.",
            field="treatment_share",
        )
    if design.min_effect <= 0:
        example = 0.1 if METRICS[design.primary].relative else 0.02
        raise DesignProblem(
            "The smallest effect worth detecting must be above 0.",
            field="min_effect",
            hint=f"Like {format_amount(example, design.primary)}.",
        )
    if not 1 <= design.min_days <= MAX_DAYS:
        raise DesignProblem(f"The minimum run time must be 1 to {MAX_DAYS} days.", field="min_days")
    if not MIN_SAMPLE <= design.min_sample <= MAX_SAMPLE:
        raise DesignProblem(
            f"The minimum sample must be at least {MIN_SAMPLE} "
            f"{METRICS[design.primary].counts} per arm: the sequential test's intervals rest "
            "on a normal approximation, which fewer do not support.",
            field="min_sample",
        )
    seen = {design.primary}
    for guardrail in design.guardrails:
        if guardrail.metric in seen:
            label = METRICS[guardrail.metric].label
            raise DesignProblem(
                f"The {label} is named twice (as the primary metric or a guardrail); "
                "name each metric once.",
                field="guardrails",
            )
        seen.add(guardrail.metric)
