"""The check-in message carries context: the triage lists open incidents and unverified fixes,
the weekly review the week's incidents and their time to remediation."""

from __future__ import annotations

from datetime import UTC, datetime

from opsbot.incidents.store import Fix, Incident
from opsbot.rituals import service

from .conftest import bot_messages, flat

REVIEW = """
timezone: Europe/London
rituals:
  - key: weekly-model-workflow-review
    name: Weekly review
    schedule: {{cron: "0 15 * * tue"}}
    owners: [{alice}]
    questions: ["What moved?"]
"""


def _incident(
    session, number: int, title: str, *, status: str, declared: str, remediated: str | None = None
) -> Incident:
    incident = Incident(
        number=number,
        title=title,
        severity="sev2",
        status=status,
        channel_id=f"C00INC{number:04d}",
        channel_name=f"inc-{number}",
        declarer="U0ALICE001",
        declared_at=_utc(declared),
        remediated_at=_utc(remediated) if remediated else None,
    )
    session.add(incident)
    session.flush()
    return incident


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_triage_lists_open_incidents_and_unverified_fixes(slack, triage_bot, clock) -> None:
    """Open incidents (with a link to their channel) and fixes waiting for their test appear
    in the triage; closed incidents do not."""
    with triage_bot.ctx.tx() as session:
        refunds = _incident(
            session, 1, "Refunds <wrong>", status="declared", declared="2026-03-29 10:00"
        )
        _incident(session, 2, "Old outage", status="closed", declared="2026-03-01 10:00")
        session.add(
            Fix(
                incident_id=refunds.id,
                number=1,
                description="Guard refunds over $500",
                test_id="eval-refund-guard",
                actor="U0ALICE001",
                created_at=_utc("2026-03-29 11:00"),
            )
        )
    clock.move_to("2026-03-30 08:00:05")
    service.tick(triage_bot.ctx)
    text = flat(slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0].blocks)
    assert "*#1* sev2 Refunds &lt;wrong&gt; (declared) in <#C00INC0001>" in text
    assert "Old outage" not in text
    assert "Incident #1 fix 1: Guard refunds over $500 (test `eval-refund-guard`)" in text


def test_the_weekly_review_lists_the_weeks_incidents_and_time_to_remediation(
    slack, start_bot, people, clock
) -> None:
    """The weekly review lists incidents declared since the previous review and the median
    time from declaration to remediation."""
    bot = start_bot(REVIEW, alice=people.alice.id)
    with bot.ctx.tx() as session:
        _incident(
            session,
            3,
            "Drifting scores",
            status="resolved",
            declared="2026-03-26 09:00",
            remediated="2026-03-26 12:30",
        )
        _incident(
            session,
            4,
            "Last month",
            status="closed",
            declared="2026-03-02 09:00",
            remediated="2026-03-02 10:00",
        )
    clock.move_to("2026-03-31 14:00:05")  # Tuesday 15:00 BST
    service.tick(bot.ctx)
    text = flat(slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0].blocks)
    assert "Incidents since Tue 24 Mar" in text and "Drifting scores" in text
    assert "Last month" not in text
    assert "Median 3h 30m over 1 incident(s)" in text
