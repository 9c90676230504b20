"""The ship-or-not call: recorded once (two at once: one wins, the other is told who decided),
carried by a ritual decision with an owner and a due date, said in the experiment's thread."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import NotFound, OpsError
from opsbot.experiments import blocks, evaluating, store
from opsbot.experiments.store import Experiment
from opsbot.rituals import context_gathering, decisions
from opsbot.slack.mrkdwn import code

WEEKLY_REVIEW = "weekly-model-workflow-review"
DUE_IN = timedelta(days=7)  # a decision is due a week after it is taken unless said otherwise
MAX_REASON = 1000


class Call(StrEnum):
    SHIP = "ship"
    ROLLBACK = "rollback"
    ITERATE = "iterate"


CALLS = " | ".join(call.value for call in Call)
_DOES = {
    Call.SHIP: "Ship {treatment} on {surface}",
    Call.ROLLBACK: "Roll {surface} back to {control}",
    Call.ITERATE: "Iterate on {treatment} for {surface} (keep {control} live meanwhile)",
}


def review_ritual(config: Config) -> str:
    """The ritual whose decisions carry experiment calls: the weekly model-and-workflow review
    (or the first review-like ritual configured)."""
    keys = [ritual.key for ritual in config.rituals]
    if WEEKLY_REVIEW in keys:
        return WEEKLY_REVIEW
    reviews = [k for k in keys if context_gathering.kind_of(k) == context_gathering.REVIEW]
    return reviews[0] if reviews else WEEKLY_REVIEW


def today(config: Config, now: datetime) -> date:
    """The date it is where the weekly review meets."""
    return decisions.today(config, review_ritual(config), now)


def default_due(config: Config, now: datetime) -> date:
    return today(config, now) + DUE_IN


def decide(
    session: Session,
    config: Config,
    *,
    key: str,
    call: Call,
    reason: str,
    by: str,
    owner: str | None = None,
    due: date | None = None,
    now: datetime,
) -> Experiment:
    """Conclude the experiment with ``call``: its final numbers kept, a ritual decision for
    ``owner`` (default: who decided) due on ``due`` (default: in a week), and its thread told."""
    reason = reason.strip()
    if not reason:
        raise OpsError(
            "Say why: the reason is kept with the decision.",
            hint="Type " + code(f"/ops experiment decide {key} {call.value} <reason>") + ".",
        )
    if len(reason) > MAX_REASON:
        raise OpsError(f"The reason is {len(reason)} characters; keep it to {MAX_REASON}.")
    experiment = store.lock(session, key=key)
    if experiment is None:
        raise NotFound(
            f"There is no experiment {key}.", hint="`/ops experiment list` shows their keys."
        )
    final = evaluating.judgment_now(session, config, experiment, now)
    if not store.claim_decision(session, experiment, decision=call.value, by=by, now=now):
        when = f"{experiment.decided_at:%a %d %b %Y}" if experiment.decided_at else "earlier"
        raise OpsError(
            f"Experiment {experiment.key} was already decided: {experiment.decision} by "
            f"<@{experiment.decided_by}> on {when}.",
            hint=f"`/ops experiment show {experiment.key}` shows the decision and its reason.",
        )
    evaluating.record(session, experiment, final, now)  # the numbers it was decided on
    rule = experiment.state
    ritual_key = review_ritual(config)
    does = _DOES[call].format(
        surface=experiment.surface, control=experiment.control, treatment=experiment.treatment
    )
    decision = decisions.record_outside(
        session,
        config,
        ritual_key=ritual_key,
        text=f"{does} (experiment {experiment.key}; the rule said {rule}): {reason}",
        owner=owner or by,
        due=due or default_due(config, now),
        by=by,
        now=now,
    )
    experiment.decision_reason = reason
    experiment.ritual_decision_id = decision.id
    experiment.decision_owner = decision.owner
    experiment.decision_due = decision.due
    session.add(experiment)
    store.add_event(
        session, experiment, kind="decided", at=now, state=rule, decision=call.value, by=by,
        reason=reason, owner=decision.owner, due=decision.due.isoformat(),
    )  # fmt: skip
    ritual = next((r for r in config.rituals if r.key == ritual_key), None)
    outbox.post(
        session,
        channel=experiment.channel,
        text=blocks.decided(
            experiment,
            owner=decision.owner,
            due=decision.due,
            ritual=ritual.name if ritual else ritual_key,
        ),
        thread_key=experiment.card_key,
        kind="experiment.decided",
    )
    evaluating.refresh_card(session, experiment)
    return experiment
