"""Judging experiments as their outcomes come in: daily on the scheduler's leader, and after
each ingest. A judgment is stored on the experiment, its card is edited in place when it
shows something new, and its thread hears of a new state only once the minimum run time is
over (so a state that comes and goes in the first days never pings anyone)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.experiments import blocks, measuring, store
from opsbot.experiments.judgment import (
    Judgment,
    judge,
)
from opsbot.experiments.model import (
    DAY,
)
from opsbot.experiments.store import RUNNING, Experiment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    judgment: Judgment
    previous: str  # the state the thread was last told of
    noticed: bool  # the thread was told of the new state


def judgment_now(
    session: Session, config: Config, experiment: Experiment, now: datetime
) -> Judgment:
    """The experiment's state from its arms' totals since its start."""
    design = measuring.design_of(experiment)
    tags = measuring.surface_tags(config, experiment.surface)
    control, treatment = measuring.totals(
        session, design, tags, start=experiment.starts_at, end=now
    )
    return judge(
        design,
        control,
        treatment,
        starts_at=experiment.starts_at,
        now=now,
        tuning_total=experiment.tuning_total,
    )


def record(session: Session, experiment: Experiment, judgment: Judgment, now: datetime) -> bool:
    """Keep the judgment on the experiment (and a new state in its history); True when the
    state changed."""
    changed = judgment.state.value != experiment.state
    if changed:
        store.add_event(
            session, experiment, kind="state", at=now, state=judgment.state.value,
            label=judgment.label, reason=judgment.reason,
        )  # fmt: skip
    experiment.state = judgment.state.value
    experiment.state_label = judgment.label
    experiment.analysis = judgment.as_dict()
    experiment.evaluated_at = now
    session.add(experiment)
    return changed


def evaluate(
    session: Session, config: Config, experiment: Experiment, now: datetime, *, notify: bool = True
) -> Evaluation | None:
    """Judge a running experiment now: store it, edit the card if it changed, and tell the
    thread of a new state once the minimum run time is over. None for a concluded one."""
    if experiment.status != RUNNING:
        return None
    judgment = judgment_now(session, config, experiment, now)
    before = (experiment.state, experiment.state_label, experiment.analysis)
    told = experiment.noticed_state
    record(session, experiment, judgment, now)
    noticed = notify and tell_thread(session, experiment, judgment, now)
    if (experiment.state, experiment.state_label, experiment.analysis) != before:
        refresh_card(session, experiment, now)
    return Evaluation(judgment, told, noticed)


def tell_thread(
    session: Session, experiment: Experiment, judgment: Judgment, now: datetime
) -> bool:
    """Tell the experiment's thread of a state it has not heard yet, once the minimum run time
    is over; True when it did."""
    run_over = now >= experiment.starts_at + experiment.min_days * DAY
    told = experiment.noticed_state
    if not run_over or judgment.state.value == told:
        return False
    if not store.claim_notice(session, experiment, state=judgment.state.value):
        return False  # another process judged it at the same time and told the thread
    outbox.post(
        session,
        channel=experiment.channel,
        text=blocks.notice(experiment, judgment, previous=told),
        thread_key=experiment.card_key,
        kind="experiment.notice",
        now=now,
    )
    return True


def refresh_card(session: Session, experiment: Experiment, now: datetime) -> None:
    """Edit the experiment's card in place."""
    text, card = blocks.card(experiment)
    outbox.update_message(
        session,
        key=experiment.card_key,
        lane=experiment.channel,
        text=text,
        blocks=card,
        now=now,
    )


Transaction = Callable[[], AbstractContextManager[Session]]


def evaluate_running(tx: Transaction, config: Config, now: datetime) -> list[str]:
    """Judge every running experiment, each in its own transaction; a line for each whose
    thread was told of a new state."""
    with tx() as session:
        keys = [experiment.key for experiment in store.running(session)]
    lines = []
    for key in keys:
        with tx() as session:
            experiment = store.lock(session, key=key)
            if experiment is None:
                continue
            done = evaluate(session, config, experiment, now)
            if done is not None and done.noticed:
                lines.append(
                    f"Experiment {experiment.key} is now {done.judgment.label} "
                    f"(was {done.previous}); its thread in #{experiment.channel} says why."
                )
    return lines
