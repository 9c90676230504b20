"""Services other features call: eval-run verification, regressions, open work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from opsbot.config import parse_config
from opsbot.db import transaction
from opsbot.incidents import service, store
from opsbot.incidents.model import Layer, Severity
from opsbot.incidents.regressions import triage_items
from opsbot.telemetry.ingest import store_eval_run
from opsbot.telemetry.schemas import CaseIn, EvalRunIn
from tests.incidents.helpers import incident_channel, panel, posted, run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEAD = "U0LEAD0001"


def _incident(session: Any, title: str, severity: str = "sev3") -> int:
    incident = service.declare(
        session,
        parse_config(""),
        service.Declaration(title, Severity(severity)),
        declarer=LEAD,
        now=T0,
    )
    incident.channel_id = f"C0INC{incident.id:05d}"
    return incident.id or 0


def _settle(session: Any, incident_id: int, test_id: str, at: datetime) -> None:
    service.contain(session, incident_id, "paused", actor=LEAD, now=at)
    for layer in Layer:
        service.rule_out(session, incident_id, layer, "n/a", actor=LEAD, now=at)
    service.add_fix(session, incident_id, "the fix", test_id, actor=LEAD, now=at)


def test_a_passing_eval_run_verifies_every_open_fix_with_that_test(engine) -> None:
    """verify_fixes_by_tests verifies matching unverified fixes in every open incident, with the
    run as evidence, and sets remediated_at once all of an incident's fixes are verified."""
    with transaction(engine) as session:
        one, two = _incident(session, "One"), _incident(session, "Two")
        _settle(session, one, "eval-guard", T0)
        _settle(session, two, "eval-guard", T0)
        service.add_fix(session, two, "second", "eval-other", actor=LEAD, now=T0)
        assert len(service.unverified_fixes(session)) == 3
    at = T0 + timedelta(hours=2)
    with transaction(engine) as session:
        verified = service.verify_fixes_by_tests(
            session, test_ids=["eval-guard"], run_ref="r-81", at=at
        )
        assert sorted(f.incident_id for f in verified) == [one, two]
    with transaction(engine) as session:
        first, second = session.get(store.Incident, one), session.get(store.Incident, two)
        assert first and second
        assert first.remediated_at == at and second.remediated_at is None
        fix = store.fix(session, incident_id=one, number=1)
        assert fix and fix.evidence == "eval run r-81 passed eval-guard"
        assert [f.test_id for f in service.unverified_fixes(session)] == ["eval-other"]
        assert (
            service.verify_fixes_by_tests(session, test_ids=["eval-guard"], run_ref="r-82", at=at)
            == []
        )


def _eval_run(session: Any, run_id: str, at: datetime, **cases: bool) -> None:
    """Store an eval run as the ingest API does (case ids given with dashes as underscores)."""
    run = EvalRunIn(
        suite="refunds",
        tag="prompt-v12",
        run_id=run_id,
        at=at,
        cases=[CaseIn(id=name.replace("_", "-"), passed=ok) for name, ok in cases.items()],
    )
    store_eval_run(session, run, now=at, hooks=[])


def test_regressions_are_closed_incidents_whose_test_fails_after_close(engine) -> None:
    """A closed incident is a regression while its test's latest result, after the close, is a
    failure: not for a failure before the close, no longer once a later run passes."""
    closed_at = T0 + timedelta(hours=1)
    with transaction(engine) as session:
        closed, still_open = _incident(session, "Closed one"), _incident(session, "Open one")
        _settle(session, closed, "eval-a", T0)
        _settle(session, still_open, "eval-a", T0)
        service.verify_fix(session, closed, 1, actor=LEAD, now=T0)
        service.resolve(session, closed, actor=LEAD, admins=[], now=T0)
        service.close(session, closed, actor=LEAD, admins=[], archive=False, now=closed_at)
        _eval_run(session, "r-1", closed_at - timedelta(minutes=5), eval_a=False, eval_z=False)
    with transaction(engine) as session:
        assert service.regressions(session) == []
        _eval_run(session, "r-2", closed_at + timedelta(days=1), eval_a=False, eval_z=True)
    with transaction(engine) as session:
        assert [(i.id, f.number, run) for i, f, run in service.regressions(session)] == [
            (closed, 1, "r-2")
        ]
        [item] = triage_items(session, T0 + timedelta(days=2))
        assert item.channel_id == f"C0INC{closed:05d}"
        assert "test eval-a of fix 1 failed in eval run r-2" in item.text
        _eval_run(session, "r-3", closed_at + timedelta(days=2), eval_a=True)
    with transaction(engine) as session:
        assert service.regressions(session) == []
        assert [i.id for i in service.open_incidents(session)] == [still_open]


def test_eval_verification_is_announced_in_the_incident_channel(ibot, slack, people) -> None:
    """The channel hears that the eval run verified the fix, and the panel shows it."""
    alice = people["alice"]
    alice.command("/incident", "declare sev3 Grader drift", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    run(ibot, slack, alice, "fix recalibrate grader test=eval-grader-cal", channel.name)
    with ibot.ctx.tx() as session:
        service.verify_fixes_by_tests(
            session, test_ids=["eval-grader-cal"], run_ref="r-7", at=ibot.ctx.clock()
        )
    posted(slack, channel.id, "eval run `r-7` passed `eval-grader-cal`")
