"""Incident rules: the lifecycle, the resolve gates, who may finish, durations and nudges.

Pure functions over plain values: no Slack, no SQL, no clock reads. Every text returned or raised
is mrkdwn that is already escaped, ready to send as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from opsbot.errors import NotAllowed, OpsError
from opsbot.slack.mrkdwn import code, escape, mention


class Severity(StrEnum):
    """How bad it is: sev1 is the worst, sev4 the mildest."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"

    @classmethod
    def parse(cls, text: str, *, hint: str | None = None) -> Severity:
        """`sev2`, `SEV2` or ` Sev2 ` → Severity.SEV2; anything else is refused."""
        word = text.strip().lower()
        try:
            return cls(word)
        except ValueError:
            raise OpsError(
                f"unknown severity {escape(word)}; use sev1 (worst) to sev4", hint=hint
            ) from None

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

    @classmethod
    def parse(cls, text: str, *, hint: str | None = None) -> Layer:
        """`data` or `Data` → Layer.DATA; anything else is refused."""
        word = text.strip().lower()
        try:
            return cls(word)
        except ValueError:
            raise OpsError(
                f"unknown layer {escape(word)}; use model, data or workflow", hint=hint
            ) from None


class Role(StrEnum):
    """The roles a person holds in one incident."""

    LEAD = "lead"
    COMMS = "comms"
    SCRIBE = "scribe"

    @classmethod
    def parse(cls, text: str, *, hint: str | None = None) -> Role:
        """`lead`, `comms` or `scribe` (any case); anything else is refused."""
        word = text.strip().lower()
        try:
            return cls(word)
        except ValueError:
            raise OpsError(
                f"unknown role {escape(word)}; use lead, comms or scribe", hint=hint
            ) from None


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


DEFAULT_SEVERITY = Severity.SEV2  # of a declaration that names none
MAX_TITLE = 150  # the title is the control panel's header block (plain_text, 150)
DEFAULT_UPDATE_CADENCE_MINUTES: Mapping[Severity, int | None] = {
    Severity.SEV1: 30,
    Severity.SEV2: 60,
    Severity.SEV3: 240,
    Severity.SEV4: None,
}
LEAD_NUDGE_AFTER = timedelta(minutes=5)
UNVERIFIED_FIX_NUDGE_EVERY = timedelta(hours=24)

_NEXT: Mapping[Status, Status] = {
    Status.DECLARED: Status.CONTAINED,
    Status.CONTAINED: Status.RESOLVED,
    Status.RESOLVED: Status.CLOSED,
}
_NOTE = code("/incident note <text>")
_RESOLVE = code("/incident resolve")
_CLOSE = code("/incident close")
_CONTAIN = code("/incident contain <what stopped the harm>")
_REFUSALS: Mapping[tuple[Status, Status], tuple[str, str]] = {
    (Status.CONTAINED, Status.CONTAINED): (
        "Containment is already recorded.",
        f"Add what else was done to the timeline: {_NOTE}",
    ),
    (Status.RESOLVED, Status.CONTAINED): (
        "This incident is already resolved; containment can no longer be recorded.",
        f"Add it to the timeline instead: {_NOTE}",
    ),
    (Status.DECLARED, Status.RESOLVED): (
        "Nothing is contained yet, so it cannot be resolved.",
        f"Record containment first: {_CONTAIN}",
    ),
    (Status.RESOLVED, Status.RESOLVED): (
        "This incident is already resolved.",
        f"Close it to publish the postmortem: {_CLOSE}",
    ),
    (Status.DECLARED, Status.CLOSED): (
        "This incident is not resolved yet, so it cannot be closed.",
        f"Resolve it first: {_RESOLVE}",
    ),
    (Status.CONTAINED, Status.CLOSED): (
        "This incident is not resolved yet, so it cannot be closed.",
        f"Resolve it first: {_RESOLVE}",
    ),
}
_DECLARE = code("/incident declare [sevN] <title>")


MAX_SURFACE = 200
MAX_TEST_ID = 200


def check_test_id(text: str) -> str:
    """The id of the eval case or test that verifies a fix: one word, at most 200 characters."""
    test_id = text.strip()
    if not test_id or len(test_id) > MAX_TEST_ID or any(c.isspace() for c in test_id):
        raise OpsError(
            "A fix needs the id of the test that verifies it (one word).",
            hint="For example " + code("test=eval-refund-guard"),
        )
    return test_id


def check_surface(value: str | None, known: Sequence[str]) -> str | None:
    """The AI surface to record: a configured surface's key when ``known`` lists any (anything
    else is refused), else the text as given; blank means none."""
    text = " ".join((value or "").split())
    if not text:
        return None
    if known and text not in known:
        raise OpsError(
            f"There is no surface {code(text)}.",
            hint="Surfaces: " + ", ".join(code(key) for key in known) + ".",
        )
    if len(text) > MAX_SURFACE:
        raise OpsError(
            f"The AI surface is {len(text)} characters; the limit is {MAX_SURFACE}.",
            hint="Name it in a few words.",
        )
    return text


def can_transition(status: Status, to: Status) -> bool:
    """True only for the next step: declared → contained → resolved → closed."""
    return _NEXT.get(status) is to


def check_transition(status: Status, to: Status) -> None:
    """Refuse any step but the next one, saying why and what to type instead."""
    if can_transition(status, to):
        return
    if status is Status.CLOSED:
        raise OpsError(
            "This incident is closed; its record is final.",
            hint=f"For new harm, declare a new incident: {_DECLARE}",
        )
    if to is Status.DECLARED:
        raise OpsError("An incident cannot go back to declared.", hint=f"Status: {status}")
    message, hint = _REFUSALS[(status, to)]
    raise OpsError(message, hint=hint)


def check_editable(status: Status) -> None:
    """Refuse changes to a closed incident (its postmortem is published)."""
    if status is Status.CLOSED:
        check_transition(status, Status.CLOSED)


def missing_for_resolve(facts: IncidentFacts) -> list[str]:
    """Every resolve gate not met, each a sentence saying what to type; empty when all hold."""
    missing: list[str] = []
    if facts.contained_at is None:
        missing.append(f"Containment is not recorded: {_CONTAIN}")
    if facts.severity.requires_customer_update and facts.customer_update_count < 1:
        missing.append(
            f"No customer update yet (required for sev1 and sev2): {code('/incident update')}"
        )
    for layer in Layer:
        if layer not in facts.layers:
            missing.append(
                f"The {layer} layer has no finding and is not ruled out: "
                f"{code(f'/incident rca {layer} <finding>')} or "
                f"{code(f'/incident rule-out {layer} <reason>')}"
            )
    if not facts.fixes:
        missing.append(
            f"No fix is recorded: {code('/incident fix <description> test=<verification-test-id>')}"
        )
    for fix in facts.fixes:
        if not fix.verified:
            missing.append(
                f"Fix {fix.number} (test {escape(fix.test_id)}) is not verified: "
                f"{code(f'/incident verify {fix.number} <evidence>')} or report a passing eval run"
            )
    return missing


def check_resolve(facts: IncidentFacts) -> None:
    """Refuse to resolve before every gate holds (or once resolved), listing what is missing."""
    if facts.status in (Status.RESOLVED, Status.CLOSED):
        check_transition(facts.status, Status.RESOLVED)
    missing = missing_for_resolve(facts)
    if missing:
        raise OpsError(
            f"Cannot resolve yet: {_items(len(missing))} missing.",
            hint="\n".join(f"• {item}" for item in missing),
        )


def may_finish(actor: str, *, lead: str | None, admins: Collection[str]) -> bool:
    """The lead and the configured admins may resolve and close an incident."""
    return actor == lead or actor in admins


def check_may_finish(
    actor: str, *, lead: str | None, admins: Collection[str], action: str = "resolve"
) -> None:
    """Refuse a resolve or close by anyone but the lead or an admin, naming who may."""
    if may_finish(actor, lead=lead, admins=admins):
        return
    holders = ["the incident lead" + (f" ({mention(lead)})" if lead else "")]
    if admins:
        holders.append("an admin (" + ", ".join(mention(a) for a in sorted(admins)) + ")")
    message = f"Only {' or '.join(holders)} may {escape(action)} this incident."
    if lead:
        hint = f"Ask {mention(lead)}, or to become lead: {code('/incident role lead @you')}"
    else:
        hint = f"Nobody is lead yet: {code('/incident role lead @person')}"
    raise NotAllowed(message, hint=hint)


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


def next_update_due_at(
    severity: Severity,
    last_update_or_declared_at: datetime,
    cadence_minutes: Mapping[Severity, int | None] = DEFAULT_UPDATE_CADENCE_MINUTES,
) -> datetime | None:
    """When the next customer update is due, or None when the severity has no cadence."""
    cadence = update_cadence(severity, cadence_minutes)
    return None if cadence is None else last_update_or_declared_at + cadence


def update_nudge_due(
    severity: Severity,
    last_update_or_declared_at: datetime,
    now: datetime,
    cadence_minutes: Mapping[Severity, int | None] = DEFAULT_UPDATE_CADENCE_MINUTES,
    last_nudge_at: datetime | None = None,
) -> bool:
    """Nudge once per missed cadence period since the last update (or the declaration).

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


def next_gate(facts: IncidentFacts) -> str:
    """The control panel's one line about what the incident needs next."""
    if facts.status is Status.DECLARED:
        return "Next: contain the harm"
    if facts.status is Status.CONTAINED:
        missing = len(missing_for_resolve(facts))
        if missing:
            return f"To resolve: {_items(missing)} missing"
        return f"Ready to resolve: {_RESOLVE}"
    if facts.status is Status.RESOLVED:
        return f"Next: close it to publish the postmortem: {_CLOSE}"
    return "Closed: the postmortem is published"


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _since(start: datetime, end: datetime) -> timedelta:
    """`end - start`, never negative (clocks of different writers may disagree a little)."""
    return max(timedelta(0), end - start)
