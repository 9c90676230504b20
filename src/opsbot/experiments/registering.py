"""Registering an experiment before it starts (or late, saying so): the design checked, its
arms free of another experiment at the same time, the sequence tuned, the card posted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import NotFound
from opsbot.experiments import blocks, evaluating, measuring, store
from opsbot.experiments.checks import (
    DesignProblem,
    check_design,
)
from opsbot.experiments.judgment import (
    State,
)
from opsbot.experiments.model import (
    DAY,
    MAX_DAYS,
    Design,
    overlaps,
)
from opsbot.experiments.store import Experiment

KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_KEY = 60
MAX_HYPOTHESIS = 2000
MAX_AHEAD = timedelta(days=60)  # how far ahead a start may be planned


class Conflict(DesignProblem):
    """The request clashes with an experiment that exists (its key, or its arms at that time)."""


@dataclass(frozen=True)
class Draft:
    """What a person or CI registers: the design, the hypothesis, optionally a key and a start
    (now when not given)."""

    design: Design
    hypothesis: str
    key: str | None = None
    starts_at: datetime | None = None


def register(
    session: Session, config: Config, draft: Draft, *, by: str, now: datetime
) -> Experiment:
    """Store the experiment and post its card in the surface's channel; refuse (changing
    nothing) a design opsbot could not judge or arms another experiment uses at that time."""
    design = draft.design
    try:
        surface = config.surface(design.surface)
    except NotFound as unknown:
        raise DesignProblem(unknown.message, field="surface", hint=unknown.hint) from None
    hypothesis = draft.hypothesis.strip()
    if not hypothesis:
        raise DesignProblem(
            "Write the hypothesis: what you expect to change, and why.",
            field="hypothesis",
            hint="Like: “The shorter refund prompt raises the success rate without more "
            "escalations.”",
        )
    if len(hypothesis) > MAX_HYPOTHESIS:
        raise DesignProblem(
            f"The hypothesis is {len(hypothesis)} characters; keep it to {MAX_HYPOTHESIS}.",
            field="hypothesis",
        )
    if draft.key is not None and (len(draft.key) > MAX_KEY or not KEY.match(draft.key)):
        raise DesignProblem(
            f"“{draft.key[:80]}” cannot be an experiment key.",
            field="key",
            hint=f"Use lowercase words joined by - (at most {MAX_KEY} characters), "
            "like shorter-refund-prompt, or leave it out and opsbot names it.",
        )
    check_design(design, surface_tags=list(surface.tags))
    if not design.guardrails:
        raise DesignProblem(
            "Name at least one guardrail with its tolerance: the metric that must not get "
            "worse, and by how much it may.",
            field="guardrails",
            hint="Like: escalation_rate 1pp",
        )
    starts_at = draft.starts_at or now
    if starts_at < now - MAX_DAYS * DAY:
        raise DesignProblem(
            f"The start is more than {MAX_DAYS} days ago; register it from a later start.",
            field="start",
        )
    if starts_at > now + MAX_AHEAD:
        raise DesignProblem(
            "The start is more than 60 days ahead; register it closer to the time.", field="start"
        )
    store.lock_surface(session, surface=surface.key)
    arms = {design.control, design.treatment}
    for other in store.on_surface(session, surface=surface.key):
        same = other.arm_kind == design.arm_kind.value and {other.control, other.treatment} == arms
        if same and overlaps(starts_at, None, other.starts_at, other.ended_at):
            until = (
                f"concluded {other.ended_at:%a %d %b %Y}" if other.ended_at else "is still running"
            )
            raise Conflict(
                f"Experiment {other.key} already compares {other.control} and {other.treatment} "
                f"on {surface.key} (from {other.starts_at:%a %d %b %Y}; it {until}): two "
                "experiments on the same arms at the same time would count the same outcomes.",
                field="treatment",
                hint=f"Decide {other.key} first (`/ops experiment decide {other.key} …`), or start "
                "this one after it ended.",
            )
    key = draft.key or _next_key(session, surface.key)
    if store.by_key(session, key=key) is not None:
        raise Conflict(
            f"There is already an experiment {key}.",
            field="key",
            hint="Pick another key, or leave it out.",
        )
    experiment = Experiment(
        key=key,
        surface=surface.key,
        hypothesis=hypothesis,
        arm_kind=design.arm_kind.value,
        control=design.control,
        treatment=design.treatment,
        treatment_share=design.treatment_share,
        primary_metric=design.primary.value,
        guardrails=[
            {"metric": g.metric.value, "tolerance": g.tolerance} for g in design.guardrails
        ],
        min_effect=design.min_effect,
        min_days=design.min_days,
        min_sample=design.min_sample,
        alpha=design.alpha,
        tuning_total=measuring.tuning_total(session, design, list(surface.tags), start=starts_at),
        starts_at=starts_at,
        registered_at=now,
        registered_by=by,
        late=starts_at < now,
        channel=surface.channel or config.channels.ops,
        state=State.COLLECTING.value,
        state_label="collecting",
        noticed_state=State.COLLECTING.value,
    )
    session.add(experiment)
    session.flush()
    store.add_event(session, experiment, kind="registered", at=now, by=by, late=experiment.late)
    judgment = evaluating.judgment_now(session, config, experiment, now)
    evaluating.record(session, experiment, judgment, now)
    text, card = blocks.card(experiment)
    outbox.post(
        session,
        channel=experiment.channel,
        text=text,
        blocks=card,
        key=experiment.card_key,
        kind="experiment.card",
        now=now,
    )
    evaluating.tell_thread(session, experiment, judgment, now)  # a late one may be due already
    return experiment


def _next_key(session: Session, surface: str) -> str:
    """``<surface>-<n>``: the first number free on the surface."""
    taken = {experiment.key for experiment in store.on_surface(session, surface=surface)}
    number = len(taken) + 1
    while f"{surface}-{number}" in taken or store.by_key(session, key=f"{surface}-{number}"):
        number += 1
    return f"{surface}-{number}"
