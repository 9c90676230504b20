"""Incident rules: the lifecycle, the resolve gates, who may finish, durations and nudges.

Pure functions over plain values: no Slack, no SQL, no clock reads. They return plain values
(an enum, a list of ``Missing`` gates); ``checks`` words them for Slack, and the postmortem, CLI
and API may word them their own way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Severity(StrEnum):
    """How bad it is: sev1 is the worst, sev4 the mildest."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"

    @property
    def rank(self) -> int:
        """1 for sev1 (worst) to 4 for sev4."""
        return int(self.value[3:])

    @property
    def requires_customer_update(self) -> bool:
        """sev1 and sev2 may not be resolved before a customer update has gone out."""
        return self.rank <= 2


class Status(StrEnum):
    """Where an incident is in its lifecycle: declared → contained → resolved → closed."""

    DECLARED = "declared"
    CONTAINED = "contained"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Layer(StrEnum):
    """The layers a root-cause analysis must each settle."""

    MODEL = "model"
    DATA = "data"
    WORKFLOW = "workflow"


class Role(StrEnum):
    """The roles a person holds in one incident."""

    LEAD = "lead"
    COMMS = "comms"
    SCRIBE = "scribe"


class LayerVerdict(StrEnum):
    """How a layer was settled."""

    FINDING = "finding"
    RULED_OUT = "ruled-out"


@dataclass(frozen=True, slots=True)
class LayerState:
    """A settled layer: a finding, or ruled out with a reason."""

    verdict: LayerVerdict
    text: str


@dataclass(frozen=True, slots=True)
class FixFacts:
    """One fix as the rules see it; numbered 1, 2, … within its incident."""

    number: int
    test_id: str
    verified: bool = False
    verified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """A snapshot of one incident, enough to judge its gates; a layer not in `layers` is open."""

    status: Status
    severity: Severity
    contained_at: datetime | None = None
    customer_update_count: int = 0
    layers: Mapping[Layer, LayerState] = field(default_factory=dict)
    fixes: Sequence[FixFacts] = ()


class Gate(StrEnum):
    """A resolve gate: what must hold before an incident may be resolved."""

    CONTAINMENT = "containment"  # containment recorded
    CUSTOMER_UPDATE = "customer-update"  # for sev1 and sev2, a customer update sent
    LAYER = "layer"  # each RCA layer has a finding or is ruled out
    FIX = "fix"  # at least one fix recorded
    VERIFICATION = "verification"  # each fix verified by its test


@dataclass(frozen=True, slots=True)
class Missing:
    """One resolve gate not met (for a layer or a fix, which one)."""

    gate: Gate
    layer: Layer | None = None
    fix: FixFacts | None = None


class NextStep(StrEnum):
    """What an incident needs next."""

    CONTAIN = "contain"
    COMPLETE = "complete"  # contained, but resolve gates are still open
    RESOLVE = "resolve"
    CLOSE = "close"
    DONE = "done"  # closed: the postmortem is published


DEFAULT_SEVERITY = Severity.SEV2  # of a declaration that names none
MAX_TITLE = 150  # the title is the control panel's header block (plain_text, 150)
LEAD_NUDGE_AFTER = timedelta(minutes=5)
UNVERIFIED_FIX_NUDGE_EVERY = timedelta(hours=24)

_NEXT: Mapping[Status, Status] = {
    Status.DECLARED: Status.CONTAINED,
    Status.CONTAINED: Status.RESOLVED,
    Status.RESOLVED: Status.CLOSED,
}


MAX_SURFACE = 200
MAX_TEST_ID = 200


def can_transition(status: Status, to: Status) -> bool:
    """True only for the next step: declared → contained → resolved → closed."""
    return _NEXT.get(status) is to


def missing_for_resolve(facts: IncidentFacts) -> list[Missing]:
    """Every resolve gate not met, in the order they are usually met; empty when all hold."""
    missing: list[Missing] = []
    if facts.contained_at is None:
        missing.append(Missing(Gate.CONTAINMENT))
    if facts.severity.requires_customer_update and facts.customer_update_count < 1:
        missing.append(Missing(Gate.CUSTOMER_UPDATE))
    missing += [Missing(Gate.LAYER, layer=layer) for layer in Layer if layer not in facts.layers]
    if not facts.fixes:
        missing.append(Missing(Gate.FIX))
    missing += [Missing(Gate.VERIFICATION, fix=fix) for fix in facts.fixes if not fix.verified]
    return missing


def may_finish(actor: str, *, lead: str | None, admins: Collection[str]) -> bool:
    """The lead and the configured admins may resolve and close an incident."""
    return actor == lead or actor in admins


def time_to_contain(declared_at: datetime, contained_at: datetime | None) -> timedelta | None:
    """Declared → contained, or None while not contained."""
    return None if contained_at is None else _since(declared_at, contained_at)


def time_to_first_update(
    declared_at: datetime, first_customer_update_at: datetime | None
) -> timedelta | None:
    """Declared → first customer update, or None before one."""
    if first_customer_update_at is None:
        return None
    return _since(declared_at, first_customer_update_at)


def time_to_remediation(declared_at: datetime, fixes: Sequence[FixFacts]) -> timedelta | None:
    """Declared → the last fix verified; None without fixes or while any is unverified."""
    if not fixes or any(not f.verified or f.verified_at is None for f in fixes):
        return None
    return _since(declared_at, max(f.verified_at for f in fixes if f.verified_at is not None))


def lead_nudge_due(
    declared_at: datetime,
    lead: str | None,
    now: datetime,
    *,
    after: timedelta = LEAD_NUDGE_AFTER,
    already_nudged: bool = False,
) -> bool:
    """Nudge once when an incident has had no lead for `after` since it was declared."""
    return lead is None and not already_nudged and now - declared_at >= after


def update_cadence(
    severity: Severity, cadence_minutes: Mapping[Severity, int | None]
) -> timedelta | None:
    """The customer-update cadence of a severity, or None when it has none."""
    minutes = cadence_minutes.get(severity)
    return timedelta(minutes=minutes) if minutes else None


def update_nudge_due(
    severity: Severity,
    last_update_or_declared_at: datetime,
    now: datetime,
    cadence_minutes: Mapping[Severity, int | None],
    last_nudge_at: datetime | None = None,
) -> bool:
    """Nudge once per missed cadence period since the last update (or the declaration); the
    cadence per severity is the configuration's (``incidents.update_cadence_minutes``).

    Period k ends at base + k·cadence; a nudge is due at or after the end of period k unless one
    was already sent at or after that moment. A severity without cadence is never nudged.
    """
    cadence = update_cadence(severity, cadence_minutes)
    if cadence is None:
        return False
    periods_missed = (now - last_update_or_declared_at) // cadence
    if periods_missed < 1:
        return False
    latest_deadline = last_update_or_declared_at + periods_missed * cadence
    return last_nudge_at is None or last_nudge_at < latest_deadline


def unverified_fix_nudge_due(
    contained_at: datetime | None,
    unverified_fixes: int,
    last_nudge_at: datetime | None,
    now: datetime,
    *,
    every: timedelta = UNVERIFIED_FIX_NUDGE_EVERY,
) -> bool:
    """Nudge about unverified fixes `every` after containment, then again each `every`."""
    if contained_at is None or unverified_fixes < 1 or now - contained_at < every:
        return False
    return last_nudge_at is None or now - last_nudge_at >= every


def next_step(facts: IncidentFacts) -> NextStep:
    """What the incident needs next (the control panel says it)."""
    if facts.status is Status.DECLARED:
        return NextStep.CONTAIN
    if facts.status is Status.CONTAINED:
        return NextStep.COMPLETE if missing_for_resolve(facts) else NextStep.RESOLVE
    if facts.status is Status.RESOLVED:
        return NextStep.CLOSE
    return NextStep.DONE


def _since(start: datetime, end: datetime) -> timedelta:
    """`end - start`, never negative (clocks of different writers may disagree a little)."""
    return max(timedelta(0), end - start)
