"""An eval run verifies incident fixes end to end, and resolved incidents feed the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from opsbot.db import transaction
from opsbot.seams import EvalRunSummary
from opsbot.telemetry.ingest import store_eval_run
from opsbot.telemetry.schemas import CaseIn, EvalRunIn
from tests.incidents.helpers import incident, incident_channel, panel, posted, wait_panel
from tests.incidents.helpers import run as do
from tests.telemetry.helpers import ago, get_dashboard, make_token, post


@pytest.fixture
def fast_bot(slack: Any, database_url: str) -> Iterator[Any]:
    """opsbot on a fast clock, so the incident channel's one-message-a-second pace is short."""
    from opsbot.testing.live import LiveBot
    from tests.incidents.conftest import FastClock

    with LiveBot(slack, database_url, clock=FastClock()) as live:
        yield live


def test_passing_eval_case_verifies_the_fix_and_tells_the_channel(
    fast_bot: Any, slack: Any
) -> None:
    """Declare, add a fix with test=X, POST an eval run with X passing: the fix is verified with
    the run as evidence, the incident channel is told, and time-to-remediation counts it."""
    bot = fast_bot
    alice = slack.person("alice")
    alice.command(
        "/incident", "declare sev2 Refund agent approves over-limit refunds", channel="general"
    )
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)

    def run(text: str) -> None:
        do(bot, slack, alice, text, channel.name)

    run("contain Disabled auto-approval for refunds over $500")
    run("update Refunds over $500 are paused while we investigate.")
    run("rca model Prompt v12 dropped the refund cap instruction")
    run("rule-out data Retrieval index unchanged since last week")
    run("rule-out workflow Escalation path worked as designed")
    run("fix Restore the cap in prompt v13 test=eval-refund-guard")
    wait_panel(slack, channel.id, "eval-refund-guard")

    token = make_token(bot, "ingest")
    failing = {
        "suite": "refunds",
        "tag": "prompt-v13",
        "run_id": "r-81",
        "at": ago(minutes=5),
        "cases": [{"id": "eval-refund-guard", "passed": False, "score": 0.2}],
    }
    assert post(bot, "eval-runs", failing, token).json()["verified_fixes"] == []
    passing = {
        **failing,
        "run_id": "r-82",
        "cases": [
            {"id": "eval-refund-guard", "passed": True, "score": 0.98},
            {"id": "eval-other", "passed": True, "score": 0.9},
        ],
    }
    answer = post(bot, "eval-runs", passing, token).json()
    assert answer["verified_fixes"] == [{"incident": 1, "fix": 1, "test": "eval-refund-guard"}]

    told = posted(slack, channel.id, "Fix 1 is verified")
    assert "r-82" in told.text
    fix_row = _fix(bot)
    assert fix_row.verified_at is not None and "r-82" in (fix_row.evidence or "")
    wait_panel(slack, channel.id, "✅ verified")

    run("resolve")
    wait_panel(slack, channel.id, "*Status*\\nresolved")
    assert incident(bot, 1).remediated_at is not None
    board = get_dashboard(bot, token).json()
    [sev2] = [e for e in board["time_to_remediation"] if e["severity"] == "sev2"]
    assert sev2["n"] == 1 and sev2["state"] == "ok" and sev2["value"] >= 0


def _fix(bot: Any) -> Any:
    from sqlmodel import Session

    from opsbot.incidents import store

    with Session(bot.ctx.engine) as session:
        [fix] = store.fixes(session, incident_id=incident(bot, 1).id or 0)
        return fix


def test_a_stored_run_is_handed_to_each_eval_run_hook_once(engine: Any) -> None:
    """Each hook is called once per stored run with all its passing and failing case ids (each
    once, in the run's order), and the answer lists what the hooks returned, in hook order."""
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    seen: list[tuple[str, EvalRunSummary]] = []

    def hook(name: str) -> Any:
        def called(session: Any, run: EvalRunSummary) -> list[dict[str, Any]]:
            seen.append((name, run))
            return [{"hook": name, "passing": len(run.passing)}]

        return called

    outcomes = [("a", True), ("b", False), ("c", True), ("a", True), ("b", False)]
    run = EvalRunIn(
        suite="refunds",
        tag="v13",
        run_id="r-5",
        at=at,
        cases=[CaseIn(id=case, passed=ok) for case, ok in outcomes],
    )
    with transaction(engine) as session:
        answer = store_eval_run(session, run, now=at, hooks=[hook("one"), hook("two")])
    summary = EvalRunSummary(
        suite="refunds", run_ref="r-5", passing=("a", "c"), failing=("b",), at=at
    )
    assert seen == [("one", summary), ("two", summary)]
    assert answer["verified_fixes"] == [
        {"hook": "one", "passing": 2},
        {"hook": "two", "passing": 2},
    ]
