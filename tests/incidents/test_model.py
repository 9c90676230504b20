"""Incident rules as plain values: lifecycle, gates, who may finish, durations, nudges, the next
step, channel names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from opsbot.incidents.model import (
    FixFacts,
    Gate,
    IncidentFacts,
    Layer,
    Missing,
    NextStep,
    Severity,
    Status,
    can_transition,
    lead_nudge_due,
    missing_for_resolve,
    next_step,
    time_to_contain,
    time_to_first_update,
    time_to_remediation,
    unverified_fix_nudge_due,
    update_nudge_due,
)
from opsbot.incidents.naming import channel_name, with_suffix
from tests.incidents.facts import CADENCE, T0, ready

# ---- enums ----------------------------------------------------------------------------------


def test_severity_rank_and_customer_update_rule() -> None:
    """sev1 is the worst; only sev1 and sev2 require a customer update before resolve."""
    assert [s.rank for s in Severity] == [1, 2, 3, 4]
    assert [s.requires_customer_update for s in Severity] == [True, True, False, False]


# ---- resolve gates and the next step, as values ----------------------------------------------


def test_missing_gates_are_plain_values_in_order() -> None:
    """A fresh sev1 misses containment, an update, the three layers and a fix, in that order."""
    fresh = IncidentFacts(status=Status.DECLARED, severity=Severity.SEV1)
    assert missing_for_resolve(fresh) == [
        Missing(Gate.CONTAINMENT),
        Missing(Gate.CUSTOMER_UPDATE),
        Missing(Gate.LAYER, layer=Layer.MODEL),
        Missing(Gate.LAYER, layer=Layer.DATA),
        Missing(Gate.LAYER, layer=Layer.WORKFLOW),
        Missing(Gate.FIX),
    ]


def test_each_unverified_fix_is_a_missing_verification() -> None:
    """Verified fixes pass; each unverified one is its own missing gate."""
    waiting = FixFacts(2, "eval-refund-guard")
    fixes = (FixFacts(1, "eval-a", verified=True, verified_at=T0), waiting)
    assert missing_for_resolve(ready(fixes=fixes)) == [Missing(Gate.VERIFICATION, fix=waiting)]
    assert missing_for_resolve(ready()) == []


def test_transitions_go_one_step_forward() -> None:
    """Only declared → contained → resolved → closed."""
    allowed = {(a, b) for a in Status for b in Status if can_transition(a, b)}
    assert allowed == {
        (Status.DECLARED, Status.CONTAINED),
        (Status.CONTAINED, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
    }


def test_next_step_follows_the_lifecycle() -> None:
    """Contain, then complete the gates, resolve, close; a closed incident is done."""
    assert next_step(ready(status=Status.DECLARED, contained_at=None)) is NextStep.CONTAIN
    assert next_step(ready(fixes=())) is NextStep.COMPLETE
    assert next_step(ready()) is NextStep.RESOLVE
    assert next_step(ready(status=Status.RESOLVED)) is NextStep.CLOSE
    assert next_step(ready(status=Status.CLOSED)) is NextStep.DONE


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
    assert not update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=30, seconds=-1), CADENCE)
    assert update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=30), CADENCE)


def test_update_nudge_fires_once_per_missed_period() -> None:
    """After a nudge in period 1, the next is due only when period 2 is also missed."""
    nudged = T0 + timedelta(minutes=31)
    assert not update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=59), CADENCE, nudged)
    assert update_nudge_due(Severity.SEV1, T0, T0 + timedelta(minutes=60), CADENCE, nudged)


def test_update_nudge_after_a_late_scheduler_fires_only_once() -> None:
    """Three periods missed while down gives one nudge now, not three."""
    now = T0 + timedelta(minutes=95)
    assert update_nudge_due(Severity.SEV1, T0, now, CADENCE)
    assert not update_nudge_due(Severity.SEV1, T0, now + timedelta(minutes=1), CADENCE, now)


def test_update_nudge_counts_from_the_last_update() -> None:
    """A fresh update restarts the cadence, and a nudge from before it no longer counts."""
    update = T0 + timedelta(minutes=50)
    old_nudge = T0 + timedelta(minutes=30)
    assert not update_nudge_due(Severity.SEV1, update, update + timedelta(minutes=29), CADENCE)
    assert update_nudge_due(
        Severity.SEV1, update, update + timedelta(minutes=30), CADENCE, old_nudge
    )


def test_update_nudge_uses_configured_cadence_and_never_for_sev4_or_none() -> None:
    """The cadence comes from configuration; sev4 and a missing or zero cadence never nudge."""
    cadence = {Severity.SEV2: 10, Severity.SEV3: None}
    later = T0 + timedelta(days=3)
    assert update_nudge_due(Severity.SEV2, T0, T0 + timedelta(minutes=10), cadence)
    assert not update_nudge_due(Severity.SEV3, T0, later, cadence)
    assert not update_nudge_due(Severity.SEV1, T0, later, cadence)
    assert not update_nudge_due(Severity.SEV4, T0, later, CADENCE)
    assert not update_nudge_due(Severity.SEV2, T0, later, {Severity.SEV2: 0})


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
