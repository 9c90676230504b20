"""The incident rules as a person in Slack reads them: refusals and the gates still open.

``model`` decides (which step may follow, what is missing before resolve, who may finish) and
returns plain values; this module turns them into mrkdwn refusals (``OpsError``) and lines that
say what to type. The use cases call the ``check_*`` functions; the blocks show ``gate_text``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from opsbot.errors import NotAllowed, OpsError
from opsbot.incidents.model import (
    MAX_SURFACE,
    MAX_TEST_ID,
    Gate,
    IncidentFacts,
    Missing,
    NextStep,
    Status,
    can_transition,
    may_finish,
    missing_for_resolve,
    next_step,
)
from opsbot.slack.mrkdwn import code, escape, mention

_NOTE = code("/incident note <text>")
_RESOLVE = code("/incident resolve")
_CLOSE = code("/incident close")
_CONTAIN = code("/incident contain <what stopped the harm>")
_DECLARE = code("/incident declare [sevN] <title>")
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


def gate_text(missing: Missing) -> str:
    """One gate not met, as a sentence saying what to type."""
    if missing.gate is Gate.CONTAINMENT:
        return f"Containment is not recorded: {_CONTAIN}"
    if missing.gate is Gate.CUSTOMER_UPDATE:
        return f"No customer update yet (required for sev1 and sev2): {code('/incident update')}"
    if missing.gate is Gate.LAYER:
        layer = missing.layer
        return (
            f"The {layer} layer has no finding and is not ruled out: "
            f"{code(f'/incident rca {layer} <finding>')} or "
            f"{code(f'/incident rule-out {layer} <reason>')}"
        )
    if missing.gate is Gate.FIX:
        return (
            f"No fix is recorded: {code('/incident fix <description> test=<verification-test-id>')}"
        )
    fix = missing.fix
    assert fix is not None
    return (
        f"Fix {fix.number} (test {escape(fix.test_id)}) is not verified: "
        f"{code(f'/incident verify {fix.number} <evidence>')} or report a passing eval run"
    )


def missing_lines(facts: IncidentFacts) -> list[str]:
    """Every resolve gate not met, each as a sentence saying what to type."""
    return [gate_text(missing) for missing in missing_for_resolve(facts)]


def check_resolve(facts: IncidentFacts) -> None:
    """Refuse to resolve before every gate holds (or once resolved), listing what is missing."""
    if facts.status in (Status.RESOLVED, Status.CLOSED):
        check_transition(facts.status, Status.RESOLVED)
    missing = missing_lines(facts)
    if missing:
        raise OpsError(
            f"Cannot resolve yet: {_items(len(missing))} missing.",
            hint="\n".join(f"• {item}" for item in missing),
        )


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


def next_gate(facts: IncidentFacts) -> str:
    """The control panel's one line about what the incident needs next."""
    step = next_step(facts)
    if step is NextStep.CONTAIN:
        return "Next: contain the harm"
    if step is NextStep.COMPLETE:
        return f"To resolve: {_items(len(missing_for_resolve(facts)))} missing"
    if step is NextStep.RESOLVE:
        return f"Ready to resolve: {_RESOLVE}"
    if step is NextStep.CLOSE:
        return f"Next: close it to publish the postmortem: {_CLOSE}"
    return "Closed: the postmortem is published"


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


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"
