"""Nudges: no lead after 5 minutes, missed customer-update cadence, unverified fixes daily."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from opsbot.config import parse_config
from opsbot.db import transaction
from opsbot.incidents import service
from opsbot.incidents import slack as incident_slack
from opsbot.incidents.model import Role, Severity
from opsbot.outbox import OutboxJob
from tests.incidents.helpers import incident_channel, panel

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALICE, BOB = "U0ALICE001", "U0BOB00001"


def _declare(engine: Any, severity: str, config: Any | None = None) -> int:
    with transaction(engine) as session:
        incident = service.declare(
            session,
            config or parse_config(""),
            service.Declaration("Refund agent misfires", Severity(severity)),
            declarer=ALICE,
            now=T0,
        )
        incident.channel_id = "C0INC00001"  # as the channel_created hook records it
        return incident.id or 0


def _nudge(engine: Any, minutes: float, config: Any | None = None) -> list[tuple[int, str]]:
    at = T0 + timedelta(minutes=minutes)
    with transaction(engine) as session:
        return service.run_nudges(session, config or parse_config(""), now=at)


def _nudge_posts(engine: Any) -> list[str]:
    with Session(engine) as session:
        jobs = session.exec(
            select(OutboxJob).where(OutboxJob.kind == "incident.nudge").order_by(OutboxJob.id)
        ).all()  # type: ignore[arg-type]
        return [str(j.steps[0]["args"]["channel"]) for j in jobs]


def test_lead_nudge_after_five_minutes_once_to_channel_and_declarer(engine) -> None:
    """With nobody named lead, one nudge goes to the channel and to the acting lead by DM."""
    _declare(engine, "sev4")
    assert _nudge(engine, 4.9) == []
    assert _nudge(engine, 5) == [(1, "lead")]
    assert _nudge(engine, 30) == []
    assert _nudge_posts(engine) == ["C0INC00001", ALICE]


def test_no_lead_nudge_once_a_lead_is_named(engine) -> None:
    """Naming a lead before 5 minutes means no lead nudge."""
    incident_id = _declare(engine, "sev4")
    with transaction(engine) as session:
        service.assign_role(
            session, incident_id, Role.LEAD, BOB, actor=ALICE, now=T0 + timedelta(minutes=2)
        )
    assert _nudge(engine, 6) == []


def test_customer_update_cadence_by_severity(engine) -> None:
    """sev1 is nudged every missed 30 minutes; an update restarts the cadence; DMs go to the
    named lead."""
    incident_id = _declare(engine, "sev1")
    with transaction(engine) as session:
        service.assign_role(session, incident_id, Role.LEAD, BOB, actor=ALICE, now=T0)
    assert _nudge(engine, 29) == []
    assert _nudge(engine, 30) == [(1, "update")]
    assert _nudge(engine, 45) == []
    assert _nudge(engine, 60) == [(1, "update")]
    with transaction(engine) as session:
        service.post_update(
            session,
            parse_config(""),
            incident_id,
            "We are on it.",
            actor=BOB,
            now=T0 + timedelta(minutes=61),
        )
    assert _nudge(engine, 90) == []
    assert _nudge(engine, 91) == [(1, "update")]
    assert _nudge_posts(engine)[-1] == BOB


def test_cadences_follow_the_configuration(engine) -> None:
    """A configured sev2 cadence of 10 minutes replaces the default 60; sev4 has none."""
    config = parse_config("incidents: {update_cadence_minutes: {sev2: 10}}")
    _declare(engine, "sev2", config)
    _declare(engine, "sev4", config)
    sent = _nudge(engine, 10, config)
    assert (1, "update") in sent and (2, "update") not in sent
    assert not [
        kind for number, kind in _nudge(engine, 600, config) if number == 2 and kind == "update"
    ]


def test_unverified_fixes_are_nudged_daily_after_containment(engine) -> None:
    """A day after containment with a fix unverified, a nudge; then one a day until verified."""
    incident_id = _declare(engine, "sev3")
    config = parse_config("incidents: {update_cadence_minutes: {sev3: null}}")
    with transaction(engine) as session:
        service.assign_role(session, incident_id, Role.LEAD, BOB, actor=ALICE, now=T0)
        service.contain(session, incident_id, "paused", actor=BOB, now=T0)
        service.add_fix(session, incident_id, "cap", "eval-cap", actor=BOB, now=T0)
    assert _nudge(engine, 60 * 23, config) == []
    assert _nudge(engine, 60 * 24, config) == [(1, "unverified")]
    assert _nudge(engine, 60 * 30, config) == []
    assert _nudge(engine, 60 * 48, config) == [(1, "unverified")]
    with transaction(engine) as session:
        service.verify_fix(session, incident_id, 1, actor=BOB, now=T0 + timedelta(hours=49))
    assert _nudge(engine, 60 * 72, config) == []


def test_the_scheduled_job_sends_the_dm_through_slack(ibot, slack, people, clock) -> None:
    """The nudge job, run on the bot's clock, posts in the channel and DMs the acting lead."""
    alice = people["alice"]
    alice.command("/incident", "declare sev4 Slow answers", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    clock.advance(minutes=6)
    incident_slack.run_nudges(ibot.ctx)
    dm = slack.wait_for(lambda: [m for m in slack.messages(alice.id) if "lead" in m.text])
    assert "/incident role lead @person" in dm[0].text
    slack.wait_for(lambda: [m for m in slack.messages(channel.id) if m.text.startswith("⏰")])
