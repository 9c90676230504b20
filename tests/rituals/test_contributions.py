"""What other features add to rituals through the context: the triage's regressions and metric
breaches, and the weekly review's chart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from opsbot.incidents.store import Fix, Incident
from opsbot.rituals import service
from opsbot.rituals.context_gathering import UNGATHERED
from tests.telemetry.helpers import make_token, post

from .conftest import bot_messages, flat
from .test_context import REVIEW

TEST_ID = "eval-refund-guard"


def _closed_incident(session: Any) -> Incident:
    """Incident #7, closed on Friday 27 March with one fix verified by TEST_ID."""
    incident = Incident(
        number=7,
        title="Refunds over $500",
        severity="sev2",
        status="closed",
        channel_id="C00INC0007",
        channel_name="inc-7-refunds",
        declarer="U0ALICE001",
        declared_at=_utc("2026-03-26 10:00"),
        resolved_at=_utc("2026-03-27 09:00"),
        closed_at=_utc("2026-03-27 10:00"),
    )
    session.add(incident)
    session.flush()
    session.add(
        Fix(
            incident_id=incident.id or 0,
            number=1,
            description="Guard refunds over $500",
            test_id=TEST_ID,
            actor="U0ALICE001",
            created_at=_utc("2026-03-26 12:00"),
            verified_at=_utc("2026-03-26 18:00"),
        )
    )
    return incident


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _triage_text(slack: Any) -> str:
    [triage] = slack.wait_for(
        lambda: [m for m in bot_messages(slack, "ai-ops") if "Daily exception triage" in m.text]
    )
    return flat(triage.blocks)


def test_the_triage_lists_a_regression_with_its_link_and_a_metric_breach(
    slack, triage_bot, clock
) -> None:
    """An eval run reported through the API in which a closed incident's verification test
    fails makes the next triage list the regression, linked to the incident's channel, and the
    suite's pass rate in act as a metric breach."""
    with triage_bot.ctx.tx() as session:
        _closed_incident(session)
    token = make_token(triage_bot, "ingest")
    answer = post(
        triage_bot,
        "eval-runs",
        {
            "suite": "refunds",
            "tag": "prompt-v13",
            "run_id": "r-90",
            "at": "2026-03-29T12:00:00+00:00",
            "cases": [{"id": TEST_ID, "passed": False}, {"id": "eval-tone", "passed": False}],
        },
        token,
    )
    assert answer.status_code == 201, answer.text
    slack.wait_for(lambda: any("needs action" in m.text for m in slack.messages("ai-ops")))
    clock.move_to("2026-03-30 08:00:05")
    service.tick(triage_bot.ctx)
    text = _triage_text(slack)
    assert (
        f"Regression of incident #7 (Refunds over $500): test {TEST_ID} of fix 1 failed in "
        "eval run r-90, after the incident closed on 27 Mar 2026 in <#C00INC0007>"
    ) in text
    assert "🔴 *Eval pass rate* `refunds` in act since" in text
    assert UNGATHERED not in text


def test_a_failing_provider_shows_in_the_triage_without_stopping_it(
    slack, triage_bot, clock
) -> None:
    """A triage provider that raises is logged and leaves a warning line; the other sections
    and providers still appear and the occurrence is posted."""

    def broken(session: Any, now: datetime) -> list[Any]:
        raise RuntimeError("the provider's query failed")

    triage_bot.ctx.triage_exceptions.insert(0, broken)
    clock.move_to("2026-03-30 08:00:05")
    [occurrence] = service.tick(triage_bot.ctx).claimed
    assert occurrence.status == "posted"
    text = _triage_text(slack)
    assert UNGATHERED in text and "No open incidents." in text


def test_the_weekly_review_posts_the_chart_in_its_thread(slack, start_bot, people, clock) -> None:
    """Posting a weekly model-and-workflow review uploads the five-metric chart (a PNG) once,
    in the thread of its check-in message."""
    bot = start_bot(REVIEW, alice=people.alice.id)
    clock.move_to("2026-03-31 14:00:05")  # Tuesday 15:00 BST
    service.tick(bot.ctx)
    service.tick(bot.ctx)  # a second tick claims nothing, so uploads nothing more
    [checkin] = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))
    [chart] = slack.wait_for(lambda: slack.files("ai-ops"), timeout=15)
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.filename == "ai-ops-weekly-2026-03-31.png"
    [reply] = slack.wait_for(lambda: slack.replies("ai-ops", checkin.ts))
    assert [f.id for f in reply.files] == [chart.id]
    assert "/ops dashboard" in reply.text
