"""What experiments tell other features without Slack: the weekly review's section (mrkdwn,
user text escaped), the launch plan's concluded experiments, and the executive report's
experiments and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from opsbot.experiments import store
from opsbot.experiments.model import METRICS, Metric
from opsbot.experiments.store import Experiment
from opsbot.seams import ContextSection, RitualPeriod
from opsbot.slack.mrkdwn import escape, truncate


@dataclass(frozen=True)
class ExperimentFacts:
    """An experiment as other features read it (the monthly executive report)."""

    key: str
    surface: str
    hypothesis: str
    control: str
    treatment: str
    primary_metric: str  # a model.Metric value
    state: str  # collecting | unhealthy | ship | rollback | inconclusive (the latest judgment)
    state_label: str  # "collecting (3 days left)"…
    late: bool  # registered after it started
    starts_at: datetime
    ended_at: datetime | None
    decision: str | None  # ship | rollback | iterate, once concluded
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_owner: str | None
    decision_due: date | None
    analysis: dict[str, Any]  # the latest judgment (judgment.Judgment.as_dict)


def _facts(experiment: Experiment) -> ExperimentFacts:
    return ExperimentFacts(
        key=experiment.key,
        surface=experiment.surface,
        hypothesis=experiment.hypothesis,
        control=experiment.control,
        treatment=experiment.treatment,
        primary_metric=experiment.primary_metric,
        state=experiment.state,
        state_label=experiment.state_label,
        late=experiment.late,
        starts_at=experiment.starts_at,
        ended_at=experiment.ended_at,
        decision=experiment.decision,
        decision_reason=experiment.decision_reason,
        decided_by=experiment.decided_by,
        decided_at=experiment.decided_at,
        decision_owner=experiment.decision_owner,
        decision_due=experiment.decision_due,
        analysis=dict(experiment.analysis),
    )


def active_between(session: Session, *, start: datetime, end: datetime) -> list[ExperimentFacts]:
    """Experiments that ran at some time in [start, end) (started before its end, not ended
    before its start), in the order they started: each with its decision, if any."""
    return [_facts(e) for e in store.active_between(session, start=start, end=end)]


def concluded(session: Session) -> list[ExperimentFacts]:
    """Experiments concluded with a recorded decision, in the order they were decided."""
    return [_facts(e) for e in store.concluded(session)]


def sections(session: Session, period: RitualPeriod) -> list[ContextSection]:
    """For the weekly review: an "Experiments" section with each running one and its state,
    and the calls decided in the period with their owner and due date (ritual decisions)."""
    if period.kind != "review":
        return []
    lines = []
    for experiment in store.running(session):
        label = METRICS[Metric(experiment.primary_metric)].label
        lines.append(
            f"*{escape(experiment.key)}* on {escape(experiment.surface)}: "
            f"`{escape(experiment.treatment)}` against `{escape(experiment.control)}`, {label}: "
            f"{escape(experiment.state_label)}"
        )
    since = period.since or period.now
    for experiment in store.decided_between(session, start=since, end=period.now):
        due = f", due {experiment.decision_due:%a %d %b}" if experiment.decision_due else ""
        owner = f" – <@{escape(experiment.decision_owner)}>" if experiment.decision_owner else ""
        reason = truncate(escape(experiment.decision_reason or ""), 200)
        lines.append(
            f"*{escape(experiment.key)}* decided *{escape(experiment.decision or '')}* (the rule "
            f"said {escape(experiment.state)}): {reason}{due}{owner}"
        )
    return [ContextSection("Experiments", lines, "No experiment running or decided.")]
