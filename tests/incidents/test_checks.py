"""How incident rules read in Slack: refusals that say what to type, the gates still open,
the next step, and the words a command names (severity, layer, role)."""

from __future__ import annotations

import pytest

from opsbot.errors import NotAllowed, OpsError
from opsbot.incidents.checks import (
    check_editable,
    check_may_finish,
    check_resolve,
    check_transition,
    missing_lines,
    next_gate,
)
from opsbot.incidents.commands import parse_layer, parse_role, parse_severity
from opsbot.incidents.model import (
    FixFacts,
    IncidentFacts,
    Layer,
    Role,
    Severity,
    Status,
    can_transition,
    may_finish,
    missing_for_resolve,
)
from tests.incidents.facts import ALL_SETTLED, T0, plain, ready

# ---- words --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["sev2", "SEV2", " Sev2 "])
def test_severity_parse_ignores_case_and_spaces(text: str) -> None:
    """`SEV2`, `sev2` and ` Sev2 ` all read as sev2."""
    assert parse_severity(text) is Severity.SEV2


@pytest.mark.parametrize("text", ["sev9", "sev0", "sev", "high", ""])
def test_severity_parse_refuses_unknown_severities(text: str) -> None:
    """Anything but sev1..sev4 is refused with the range to use."""
    with pytest.raises(OpsError, match=r"use sev1 \(worst\) to sev4"):
        parse_severity(text)


def test_layer_and_role_parse_and_refuse() -> None:
    """Layers and roles parse case-insensitively; unknown ones name the valid choices."""
    assert parse_layer("Data") is Layer.DATA
    assert parse_role("LEAD") is Role.LEAD
    with pytest.raises(OpsError, match="use model, data or workflow"):
        parse_layer("infra")
    with pytest.raises(OpsError, match="use lead, comms or scribe"):
        parse_role("boss")


def test_parse_errors_escape_the_echoed_word() -> None:
    """An unknown value typed as markup is echoed inert."""
    with pytest.raises(OpsError) as caught:
        parse_layer("<!channel>")
    assert "<!channel>" not in caught.value.message
    assert "&lt;!channel&gt;" in caught.value.message


# ---- transitions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (Status.DECLARED, Status.CONTAINED),
        (Status.CONTAINED, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
    ],
)
def test_each_step_forward_is_allowed(status: Status, to: Status) -> None:
    """The lifecycle moves one step at a time: declared → contained → resolved → closed."""
    assert can_transition(status, to)
    check_transition(status, to)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("to", list(Status))
def test_only_the_next_step_is_allowed(status: Status, to: Status) -> None:
    """Every pair but the three forward steps is refused with an OpsError carrying a hint."""
    forward = {
        (Status.DECLARED, Status.CONTAINED),
        (Status.CONTAINED, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
    }
    if (status, to) in forward:
        return
    assert not can_transition(status, to)
    with pytest.raises(OpsError) as caught:
        check_transition(status, to)
    assert caught.value.message
    assert caught.value.hint


def test_close_before_resolve_says_resolve_first() -> None:
    """Closing a contained incident is refused with the command to resolve it."""
    with pytest.raises(OpsError) as caught:
        check_transition(Status.CONTAINED, Status.CLOSED)
    assert plain(caught.value.hint) == "Resolve it first: `/incident resolve`"


def test_contain_on_a_resolved_incident_is_refused() -> None:
    """Containment cannot be recorded after resolve; a note is offered instead."""
    with pytest.raises(OpsError, match="already resolved") as caught:
        check_transition(Status.RESOLVED, Status.CONTAINED)
    assert "`/incident note <text>`" in plain(caught.value.hint)


def test_contain_twice_is_refused() -> None:
    """A second containment is refused and pointed at the timeline."""
    with pytest.raises(OpsError, match="already recorded"):
        check_transition(Status.CONTAINED, Status.CONTAINED)


def test_a_closed_incident_refuses_everything() -> None:
    """A closed incident is final, and the refusal says to declare a new one."""
    with pytest.raises(OpsError, match="closed") as caught:
        check_editable(Status.CLOSED)
    assert "`/incident declare [sevN] <title>`" in plain(caught.value.hint)
    check_editable(Status.RESOLVED)


# ---- resolve gates --------------------------------------------------------------------------


def test_nothing_missing_when_every_gate_holds() -> None:
    """A contained, updated, fully analysed incident with verified fixes may be resolved."""
    assert missing_for_resolve(ready()) == []
    check_resolve(ready())


def test_missing_containment() -> None:
    """Without containment the list says so and what to type."""
    missing = missing_lines(ready(status=Status.DECLARED, contained_at=None))
    assert [plain(m) for m in missing] == [
        "Containment is not recorded: `/incident contain <what stopped the harm>`"
    ]


@pytest.mark.parametrize("severity", [Severity.SEV1, Severity.SEV2])
def test_missing_customer_update_for_sev1_and_sev2(severity: Severity) -> None:
    """sev1 and sev2 need at least one customer update."""
    missing = missing_lines(ready(severity=severity, customer_update_count=0))
    assert [plain(m) for m in missing] == [
        "No customer update yet (required for sev1 and sev2): `/incident update`"
    ]


@pytest.mark.parametrize("severity", [Severity.SEV3, Severity.SEV4])
def test_no_customer_update_needed_for_sev3_and_sev4(severity: Severity) -> None:
    """sev3 and sev4 resolve without a customer update."""
    assert missing_for_resolve(ready(severity=severity, customer_update_count=0)) == []


@pytest.mark.parametrize("layer", list(Layer))
def test_missing_rca_layer(layer: Layer) -> None:
    """Each layer with neither finding nor ruling-out is named with both commands."""
    layers = {k: v for k, v in ALL_SETTLED.items() if k is not layer}
    missing = missing_lines(ready(layers=layers))
    assert [plain(m) for m in missing] == [
        f"The {layer} layer has no finding and is not ruled out: "
        f"`/incident rca {layer} <finding>` or `/incident rule-out {layer} <reason>`"
    ]


def test_missing_fix() -> None:
    """At least one fix is required."""
    missing = missing_lines(ready(fixes=()))
    assert [plain(m) for m in missing] == [
        "No fix is recorded: `/incident fix <description> test=<verification-test-id>`"
    ]


def test_each_unverified_fix_is_named_with_its_test() -> None:
    """Every unverified fix is listed by number and test, with how to verify it."""
    fixes = (
        FixFacts(1, "eval-a", verified=True, verified_at=T0),
        FixFacts(2, "eval-refund-guard"),
        FixFacts(3, "suite/case:7"),
    )
    missing = missing_lines(ready(fixes=fixes))
    assert [plain(m) for m in missing] == [
        "Fix 2 (test eval-refund-guard) is not verified: "
        "`/incident verify 2 <evidence>` or report a passing eval run",
        "Fix 3 (test suite/case:7) is not verified: "
        "`/incident verify 3 <evidence>` or report a passing eval run",
    ]


def test_everything_missing_is_listed_in_order() -> None:
    """A fresh sev1 lists containment, update, the three layers and the fix, in that order."""
    fresh = IncidentFacts(status=Status.DECLARED, severity=Severity.SEV1)
    missing = [plain(m) for m in missing_lines(fresh)]
    assert len(missing) == 6
    assert missing[0].startswith("Containment")
    assert missing[1].startswith("No customer update")
    assert [m.split()[1] for m in missing[2:5]] == ["model", "data", "workflow"]
    assert missing[5].startswith("No fix")


def test_check_resolve_refusal_counts_and_lists_the_missing_items() -> None:
    """The refusal says how many items are missing and lists each as a bullet."""
    with pytest.raises(OpsError) as caught:
        check_resolve(ready(customer_update_count=0, fixes=(FixFacts(1, "t1"),)))
    assert caught.value.message == "Cannot resolve yet: 2 items missing."
    lines = plain(caught.value.hint).splitlines()
    assert len(lines) == 2
    assert all(line.startswith("• ") for line in lines)


def test_check_resolve_on_a_resolved_incident_says_close_instead() -> None:
    """Resolving twice is refused by the lifecycle, pointing at close."""
    with pytest.raises(OpsError, match="already resolved") as caught:
        check_resolve(ready(status=Status.RESOLVED))
    assert "`/incident close`" in plain(caught.value.hint)


# ---- who may finish -------------------------------------------------------------------------


def test_lead_and_admins_may_finish() -> None:
    """The lead and any admin may resolve or close; someone else may not."""
    assert may_finish("ULEAD1", lead="ULEAD1", admins=())
    assert may_finish("UADMIN1", lead="ULEAD1", admins={"UADMIN1"})
    assert not may_finish("UOTHER1", lead="ULEAD1", admins={"UADMIN1"})
    check_may_finish("ULEAD1", lead="ULEAD1", admins=())


def test_refusal_names_the_lead_and_admins() -> None:
    """A refused resolve names who may, as live mentions."""
    with pytest.raises(NotAllowed) as caught:
        check_may_finish("UOTHER1", lead="ULEAD1", admins=["UADM2", "UADM1"], action="close")
    assert caught.value.message == (
        "Only the incident lead (<@ULEAD1>) or an admin (<@UADM1>, <@UADM2>)"
        " may close this incident."
    )
    assert "<@ULEAD1>" in (caught.value.hint or "")


def test_refusal_without_lead_says_how_to_assign_one() -> None:
    """With no lead and no admins the refusal says nobody is lead and how to become one."""
    with pytest.raises(NotAllowed) as caught:
        check_may_finish("UOTHER1", lead=None, admins=())
    assert caught.value.message == "Only the incident lead may resolve this incident."
    assert plain(caught.value.hint) == "Nobody is lead yet: `/incident role lead @person`"


# ---- next gate ------------------------------------------------------------------------------


def test_next_gate_per_status() -> None:
    """The control panel line follows the lifecycle and counts what resolve still needs."""
    assert next_gate(ready(status=Status.DECLARED, contained_at=None)) == "Next: contain the harm"
    assert next_gate(ready(customer_update_count=0, layers={})) == "To resolve: 4 items missing"
    assert next_gate(ready(fixes=())) == "To resolve: 1 item missing"
    assert plain(next_gate(ready())) == "Ready to resolve: `/incident resolve`"
    assert plain(next_gate(ready(status=Status.RESOLVED))) == (
        "Next: close it to publish the postmortem: `/incident close`"
    )
    assert next_gate(ready(status=Status.CLOSED)) == "Closed: the postmortem is published"
