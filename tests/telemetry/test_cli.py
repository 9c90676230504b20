"""`opsbot token create|revoke` and `opsbot ingest FILE.jsonl`, including the synthetic week."""

from __future__ import annotations

import json
import runpy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opsbot.cli import main
from opsbot.config import parse_config
from opsbot.db import transaction
from opsbot.incidents import service, store
from opsbot.incidents.model import Severity
from opsbot.telemetry.store import EvalRun, OutcomeRecord
from tests.telemetry.helpers import count_rows, get_dashboard, post, scores, stored_scores

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("OPSBOT_DATABASE_URL", database_url)
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)


def opsbot(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_create_prints_the_token_alone_on_the_last_line(
    bot: Any, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last stdout line is the token, which the API accepts until `token revoke`."""
    code, out, _ = opsbot(capsys, "token", "create", "--scope", "ingest", "--name", "ci-evals")
    assert code == 0
    token = out.splitlines()[-1]
    assert token.startswith("opsb_") and " " not in token
    batch = {"records": scores("a", [0.5], days_ago=1)}
    assert post(bot, "confidence", batch, token).status_code == 201
    code, out, _ = opsbot(capsys, "token", "list")
    assert "ci-evals\tingest" in out and token not in out
    assert opsbot(capsys, "token", "revoke", "ci-evals")[0] == 0
    assert post(bot, "confidence", batch, token).status_code == 401


def test_token_create_refusals(cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    """A taken name, or no scope, is refused with what to do instead."""
    opsbot(capsys, "token", "create", "--scope", "read", "--name", "dash")
    code, _, err = opsbot(capsys, "token", "create", "--scope", "read", "--name", "dash")
    assert code == 1 and "already exists" in err
    code, _, err = opsbot(capsys, "token", "create", "--name", "other")
    assert code == 1 and "--scope" in err


def test_ingest_reports_line_numbers_and_stores_nothing(
    bot: Any, cli_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file with a bad line is refused whole, each problem named by line and field."""
    good = {"kind": "confidence", "at": "2026-11-20T10:00:00+00:00", "tag": "a", "score": 0.5}
    lines = [
        json.dumps(good),
        "",
        json.dumps({**good, "score": 2}),
        "{oops",
        json.dumps({**good, "kind": "metric"}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, _, err = opsbot(capsys, "ingest", str(path))
    assert code == 1
    assert f"{path}: line 3: score: Input should be less than or equal to 1" in err
    assert f"{path}: line 4: not valid JSON" in err
    assert f"{path}: line 5: kind: must be one of" in err
    assert "nothing was stored" in err
    assert stored_scores(bot) == 0


def test_synthetic_week_shows_what_needs_action(
    bot: Any, slack: Any, cli_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The generator's week, ingested by the CLI, puts refund-agent drift and support-copilot
    overrides in act: #ai-ops is told once each and `/ops dashboard` says why."""
    path = tmp_path / "week.jsonl"
    generator = runpy.run_path(str(ROOT / "scripts" / "synthetic_telemetry.py"))
    assert generator["main"](["--out", str(path), "--per-day", "60"]) == 0
    code, out, _ = opsbot(capsys, "ingest", str(path))
    assert code == 0, out
    assert "Stored 6300 confidence scores, 6300 outcomes and 70 eval runs" in out
    assert count_rows(bot, OutcomeRecord) == 6300 and count_rows(bot, EvalRun) == 70
    assert stored_scores(bot) == 6300
    posted = slack.wait_for(
        lambda: len(slack.messages("ai-ops")) >= 2 and [m.text for m in slack.messages("ai-ops")],
        timeout=10,
    )
    assert len(posted) == 2
    assert any(
        t.startswith("🔴 Confidence drift (PSI) for `refund-agent` needs action") for t in posted
    )
    assert any(t.startswith("🔴 Override rate for `support-copilot` needs action") for t in posted)
    alice = slack.person("alice")
    alice.command("/ops", "dashboard", channel="general")
    [reply] = slack.wait_for(lambda: alice.ephemerals("general"))
    text = json.dumps(reply.blocks, ensure_ascii=False)
    assert "🔴 *act* · `refund-agent` PSI" in text
    assert "🔴 *act* · `support-copilot`" in text
    assert "🟢 *ok* · `triage-router`" in text
    assert reply.text.startswith("AI Product Ops dashboard: 🔴 2 act")
    _, token_out, _ = opsbot(capsys, "token", "create", "--scope", "read", "--name", "r")
    board = get_dashboard(bot, token_out.splitlines()[-1]).json()
    states = {(e["tag"], e["state"]) for e in board["drift"]}
    assert ("refund-agent", "act") in states and ("triage-router", "ok") in states


def test_ingest_verifies_the_fixes_its_passing_eval_cases_test(
    engine: Any, cli_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`opsbot ingest`, with no Slack app, verifies every open fix whose test passed in an eval
    run in the file (the run as evidence) and says so; a failing case verifies nothing."""
    at = "2026-11-20T10:00:00+00:00"
    with transaction(engine) as session:
        config, lead = parse_config(""), "U0LEAD0001"
        for title, test_ids in (("Refunds", ["eval-guard", "eval-cap"]), ("Grader", ["eval-cal"])):
            declared = service.declare(
                session, config, service.Declaration(title, Severity.SEV3), declarer=lead, now=NOW
            )
            declared.channel_id = f"C0INC{declared.id:05d}"
            for test_id in test_ids:
                service.add_fix(session, declared.id or 0, "a fix", test_id, actor=lead, now=NOW)
    cases = [("eval-guard", True), ("eval-cal", False), ("eval-cap", True), ("eval-guard", True)]
    run = {"kind": "eval-run", "suite": "refunds", "tag": "v13", "run_id": "r-9", "at": at}
    path = tmp_path / "run.jsonl"
    path.write_text(
        json.dumps({**run, "cases": [{"id": c, "passed": ok} for c, ok in cases]}) + "\n"
    )
    code, out, err = opsbot(capsys, "ingest", str(path))
    assert code == 0, err
    assert "Verified fix 1 of incident 1 (test eval-guard)." in out
    assert "Verified fix 2 of incident 1 (test eval-cap)." in out
    assert "incident 2" not in out
    with transaction(engine) as session:
        assert [f.test_id for f in service.unverified_fixes(session)] == ["eval-cal"]
        fix = store.fix(session, incident_id=1, number=2)
        assert fix and fix.evidence == "eval run r-9 passed eval-cap"
