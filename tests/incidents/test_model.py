"""Incident rules: lifecycle, gates, who may finish, durations, nudges, next gate, channel names."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsbot.errors import NotAllowed, OpsError
from opsbot.incidents.model import (
    FixFacts,
    IncidentFacts,
    Layer,
    LayerState,
    LayerVerdict,
    Role,
    Severity,
    Status,
    can_transition,
    check_editable,
    check_may_finish,
    check_resolve,
    check_transition,
    lead_nudge_due,
    may_finish,
    missing_for_resolve,
    next_gate,
    next_update_due_at,
    time_to_contain,
    time_to_first_update,
    time_to_remediation,
    unverified_fix_nudge_due,
    update_nudge_due,
)
from opsbot.incidents.naming import channel_name, with_suffix
from opsbot.slack.mrkdwn import unescape

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALL_SETTLED = {
    Layer.MODEL: LayerState(LayerVerdict.FINDING, "prompt v12 dropped the refund cap"),
    Layer.DATA: LayerState(LayerVerdict.RULED_OUT, "inputs unchanged"),
    Layer.WORKFLOW: LayerState(LayerVerdict.RULED_OUT, "routing unchanged"),
}


def ready(**changes: Any) -> IncidentFacts:
    """A contained sev2 incident that meets every resolve gate, with `changes` applied."""
    base = IncidentFacts(
        status=Status.CONTAINED,
        severity=Severity.SEV2,
        contained_at=T0 + timedelta(minutes=20),
        customer_update_count=1,
        layers=ALL_SETTLED,
        fixes=(FixFacts(1, "eval-refund-guard", verified=True, verified_at=T0),),
    )
    return replace(base, **changes)


def plain(text: str | None) -> str:
    """What a person reads once Slack has decoded the entities."""
    return unescape(text or "")


# ---- enums ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["sev2", "SEV2", " Sev2 "])
def test_severity_parse_ignores_case_and_spaces(text: str) -> None:
    """`SEV2`, `sev2` and ` Sev2 ` all read as sev2."""
    assert Severity.parse(text) is Severity.SEV2


@pytest.mark.parametrize("text", ["sev9", "sev0", "sev", "high", ""])
def test_severity_parse_refuses_unknown_severities(text: str) -> None:
    """Anything but sev1..sev4 is refused with the range to use."""
    with pytest.raises(OpsError, match=r"use sev1 \(worst\) to sev4"):
        Severity.parse(text)


def test_severity_rank_and_customer_update_rule() -> None:
    """sev1 is the worst; only sev1 and sev2 require a customer update before resolve."""
    assert [s.rank for s in Severity] == [1, 2, 3, 4]
    assert [s.requires_customer_update for s in Severity] == [True, True, False, False]


def test_layer_and_role_parse_and_refuse() -> None:
    """Layers and roles parse case-insensitively; unknown ones name the valid choices."""
    assert Layer.parse("Data") is Layer.DATA
    assert Role.parse("LEAD") is Role.LEAD
    with pytest.raises(OpsError, match="use model, data or workflow"):
        Layer.parse("infra")
    with pytest.raises(OpsError, match="use lead, comms or scribe"):
        Role.parse("boss")


def test_parse_errors_escape_the_echoed_word() -> None:
    """An unknown value typed as markup is echoed inert."""
    with pytest.raises(OpsError) as caught:
        Layer.parse("<!channel>")
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
    missing = missing_for_resolve(ready(status=Status.DECLARED, contained_at=None))
    assert [plain(m) for m in missing] == [
        "Containment is not recorded: `/incident contain <what stopped the harm>`"
    ]


@pytest.mark.parametrize("severity", [Severity.SEV1, Severity.SEV2])
def test_missing_customer_update_for_sev1_and_sev2(severity: Severity) -> None:
    """sev1 and sev2 need at least one customer update."""
    missing = missing_for_resolve(ready(severity=severity, customer_update_count=0))
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
    missing = missing_for_resolve(ready(layers=layers))
    assert [plain(m) for m in missing] == [
        f"The {layer} layer has no finding and is not ruled out: "
        f"`/incident rca {layer} <finding>` or `/incident rule-out {layer} <reason>`"
    ]


def test_missing_fix() -> None:
    """At least one fix is required."""
    missing = missing_for_resolve(ready(fixes=()))
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
    missing = missing_for_resolve(ready(fixes=fixes))
    assert [plain(m) for m in missing] == [
        "Fix 2 (test eval-refund-guard) is not verified: "
        "`/incident verify 2 <evidence>` or report a passing eval run",
        "Fix 3 (test suite/case:7) is not verified: "
        "`/incident verify 3 <evidence>` or report a passing eval run",
    ]


def test_everything_missing_is_listed_in_order() -> None:
    """A fresh sev1 lists containment, update, the three layers and the fix, in that order."""
    fresh = IncidentFacts(status=Status.DECLARED, severity=Severity.SEV1)
    missing = [plain(m) for m in missing_for_resolve(fresh)]
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


# ---- durations ------------------------------------------------------------------------------


def test_time_to_contain_and_first_update() -> None:
    """Durations run from declaration; a step not yet taken gives None."""
    assert time_to_contain(T0, T0 + timedelta(minutes=12)) == timedelta(minutes=12)
    assert time_to_contain(T0, None) is None
    assert time_to_first_update(T0, T0 + timedelta(minutes=30)) == timedelta(minutes=30)
    assert time_to_first_update(T0, None) is None


def test_time_to_remediation_runs_to_the_last_fix_verified() -> None:
    """Remediation ends when the last fix is verified, not the first."""
    fixes = [
        FixFacts(1, "a", verified=True, verified_at=T0 + timedelta(hours=2)),
        FixFacts(2, "b", verified=True, verified_at=T0 + timedelta(hours=1)),
    ]
    assert time_to_remediation(T0, fixes) == timedelta(hours=2)


def test_time_to_remediation_is_none_without_fixes_or_with_an_unverified_one() -> None:
    """No fixes, or any fix still unverified, means not remediated yet."""
    assert time_to_remediation(T0, []) is None
    fixes = [FixFacts(1, "a", verified=True, verified_at=T0), FixFacts(2, "b")]
    assert time_to_remediation(T0, fixes) is None


def test_durations_are_never_negative() -> None:
    """A step stamped slightly before the declaration (clock skew) counts as zero."""
    assert time_to_contain(T0, T0 - timedelta(seconds=3)) == timedelta(0)


# ---- nudges ---------------------------------------------------------------------------------


def test_lead_nudge_fires_at_five_minutes_without_a_lead() -> None:
    """No lead after exactly 5 minutes: nudge; a second earlier: not yet."""
    assert not lead_nudge_due(T0, None, T0 + timedelta(minutes=5) - timedelta(seconds=1))
    assert lead_nudge_due(T0, None, T0 + timedelta(minutes=5))


def test_lead_nudge_never_fires_with_a_lead_or_twice() -> None:
    """A lead in place, or a nudge already sent, means no nudge."""
    later = T0 + timedelta(hours=1)
    assert not lead_nudge_due(T0, "ULEAD1", later)
    assert not lead_nudge_due(T0, None, later, already_nudged=True)
    assert lead_nudge_due(T0, None, T0 + timedelta(minutes=2), after=timedelta(minutes=2))


def test_update_nudge_waits_for_the_cadence() -> None:
    """sev1 (30 min): not due at 29:59, due at 30:00."""
    assert not update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=30, seconds=-1))
    assert update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=30))


def test_update_nudge_fires_once_per_missed_period() -> None:
    """After a nudge in period 1, the next is due only when period 2 is also missed."""
    nudged = T0 + timedelta(minutes=31)
    assert not update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=59), last_nudge_at=nudged)
    assert update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=60), last_nudge_at=nudged)


def test_update_nudge_after_a_late_scheduler_fires_only_once() -> None:
    """Three periods missed while down gives one nudge now, not three."""
    now = T0 + timedelta(minutes=95)
    assert update_nudge_due(Severity.SEV1, T0, now)
    assert not update_nudge_due(Severity.SEV1, T0, now + timedelta(minutes=1), last_nudge_at=now)


def test_update_nudge_counts_from_the_last_update() -> None:
    """A fresh update restarts the cadence, and a nudge from before it no longer counts."""
    update = T0 + timedelta(minutes=50)
    old_nudge = T0 + timedelta(minutes=30)
    assert not update_nudge_due(Severity.SEV1, update, update + timedelta(minutes=29))
    assert update_nudge_due(
        Severity.SEV1, update, update + timedelta(minutes=30), last_nudge_at=old_nudge
    )


def test_update_nudge_uses_configured_cadence_and_never_for_sev4_or_none() -> None:
    """The cadence comes from configuration; sev4 and a missing or zero cadence never nudge."""
    cadence = {Severity.SEV2: 10, Severity.SEV3: None}
    later = T0 + timedelta(days=3)
    assert update_nudge_due(Severity.SEV2, T0, T0 + timedelta(minutes=10), cadence)
    assert not update_nudge_due(Severity.SEV3, T0, later, cadence)
    assert not update_nudge_due(Severity.SEV1, T0, later, cadence)
    assert not update_nudge_due(Severity.SEV4, T0, later)
    assert not update_nudge_due(Severity.SEV2, T0, later, {Severity.SEV2: 0})


def test_next_update_due_at() -> None:
    """The next update is due one cadence after the last; sev4 has no due time."""
    assert next_update_due_at(Severity.SEV3, T0) == T0 + timedelta(hours=4)
    assert next_update_due_at(Severity.SEV4, T0) is None


def test_unverified_fix_nudge_timing() -> None:
    """Due 24 h after containment, then again only 24 h after the previous nudge."""
    day = timedelta(hours=24)
    assert not unverified_fix_nudge_due(T0, 1, None, T0 + day - timedelta(seconds=1))
    assert unverified_fix_nudge_due(T0, 1, None, T0 + day)
    nudged = T0 + day
    assert not unverified_fix_nudge_due(T0, 1, nudged, nudged + day - timedelta(seconds=1))
    assert unverified_fix_nudge_due(T0, 1, nudged, nudged + day)


def test_unverified_fix_nudge_needs_containment_and_an_unverified_fix() -> None:
    """Nothing contained, or nothing unverified, means no nudge."""
    later = T0 + timedelta(days=5)
    assert not unverified_fix_nudge_due(None, 2, None, later)
    assert not unverified_fix_nudge_due(T0, 0, None, later)
    assert unverified_fix_nudge_due(T0, 1, None, T0 + timedelta(hours=1), every=timedelta(hours=1))


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


# ---- channel names (naming.py) --------------------------------------------------------------

VALID_NAME = re.compile(r"[a-z0-9_-]{1,80}")


def assert_valid(name: str) -> None:
    """What conversations.create accepts, plus our own rule of no trailing separator."""
    assert VALID_NAME.fullmatch(name), name
    assert not name.endswith(("-", "_")), name


def test_channel_name_slugs_the_title() -> None:
    """Lowercase words joined by hyphens after `inc-<number>-`."""
    name = channel_name(12, "Refund agent approves refunds over $500!")
    assert name == "inc-12-refund-agent-approves-refunds-over-500"
    assert_valid(name)


def test_channel_name_folds_accents_and_drops_other_scripts() -> None:
    """Accented Latin letters are transliterated; other non-ASCII characters are dropped."""
    assert channel_name(3, "Ünïcödé Straße — Æther ØRM 日本語 ok 🚨") == (
        "inc-3-unicode-strasse-aether-orm-ok"
    )


@pytest.mark.parametrize("title", ["!!!", "—", "日本語", "🚨🔥", "   ", "", "___"])
def test_channel_name_without_slug_is_just_the_number(title: str) -> None:
    """Punctuation-only, non-Latin or empty titles give `inc-<n>`."""
    assert channel_name(7, title) == "inc-7"


def test_channel_name_turns_underscores_and_runs_of_punctuation_into_one_hyphen() -> None:
    """`refund_agent -- v2` becomes `refund-agent-v2`, never a run of separators."""
    assert channel_name(1, "  refund_agent -- v2 / EU  ") == "inc-1-refund-agent-v2-eu"


def test_channel_name_long_title_is_cut_to_80_at_a_word_break() -> None:
    """A long title is cut within 80 characters, at a word break, with no trailing hyphen."""
    name = channel_name(123, "refund guard " * 20)
    assert_valid(name)
    assert len(name) <= 80
    assert name.endswith(("refund", "guard"))


def test_channel_name_long_single_word_is_cut_mid_word() -> None:
    """With no word break near the limit the word itself is cut to exactly 80."""
    name = channel_name(99999, "x" * 200)
    assert len(name) == 80
    assert_valid(name)


def test_channel_name_refuses_numbers_below_one() -> None:
    """Incident numbers start at 1."""
    with pytest.raises(ValueError):
        channel_name(0, "x")


def test_with_suffix_numbers_retries_from_two() -> None:
    """After `name_taken`, attempt 1 tries `-2`, attempt 2 tries `-3`; attempt 0 is the name."""
    assert with_suffix("inc-4-outage", 0) == "inc-4-outage"
    assert with_suffix("inc-4-outage", 1) == "inc-4-outage-2"
    assert with_suffix("inc-4-outage", 2) == "inc-4-outage-3"


def test_with_suffix_keeps_within_80_and_never_doubles_hyphens() -> None:
    """A full-length name is shortened to fit the suffix, without a `--` before it."""
    name = "inc-1-" + "a" * 70 + "-bcd"
    assert len(name) == 80
    for attempt in (1, 9, 99, 999):
        suffixed = with_suffix(name, attempt)
        assert len(suffixed) <= 80
        assert_valid(suffixed)
        assert "--" not in suffixed
        assert suffixed.endswith(f"-{attempt + 1}")
