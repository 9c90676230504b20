"""Record times outside the accepted window around now are refused by record, never a 500."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from opsbot.cli import main
from opsbot.config import parse_config
from opsbot.telemetry.store import EvalRun, OutcomeRecord

from .helpers import ago, count_rows, make_token, outcomes, post, scores, stored_scores

FAR = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "2999-01-01T00:00:00+00:00"]
OLD = ["1900-01-01T00:00:00+00:00", "0001-01-01T00:00:00+00:00"]


def test_times_far_outside_the_window_get_422_naming_each_record(bot: Any) -> None:
    """Times UTC cannot hold, 2999 and 1900 are each named by path; nothing is stored."""
    token = make_token(bot, "ingest")
    good = scores("refund-agent", [0.5], days_ago=1)[0]
    records = [good, *({**good, "at": at} for at in FAR + OLD), good]
    response = post(bot, "confidence", {"records": records}, token)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [p["at"] for p in problems] == [f"records[{i}].at" for i in range(1, 6)]
    assert all("accept_past_days" in p["problem"] for p in problems if "window" in p["problem"])
    assert "years 1 to 9999" in problems[0]["problem"]
    assert stored_scores(bot) == 0


@pytest.mark.parametrize("at", FAR + OLD)
def test_every_endpoint_refuses_out_of_range_times(bot: Any, at: str) -> None:
    """Outcomes and eval runs refuse the same times with 422 (not 500) and store nothing."""
    token = make_token(bot, "ingest")
    record = {**outcomes("refund-agent", {"autonomous": 1}, days_ago=1)[0], "at": at}
    response = post(bot, "outcomes", {"records": [record]}, token)
    assert response.status_code == 422
    assert response.json()["problems"][0]["at"] == "records[0].at"
    run = {"suite": "s", "tag": "t", "run_id": "r-1", "at": at, "cases": []}
    response = post(bot, "eval-runs", run, token)
    assert response.status_code == 422
    assert response.json()["problems"][0]["at"] == "at"
    assert count_rows(bot, OutcomeRecord) == 0
    assert count_rows(bot, EvalRun) == 0


def test_the_window_edges_are_the_documented_defaults(bot: Any) -> None:
    """399 days back and 50 minutes ahead are taken; 401 days back and 70 minutes ahead are not."""
    token = make_token(bot, "ingest")
    ahead = (datetime.now(UTC) + timedelta(minutes=50)).isoformat()
    taken = [{"at": at, "tag": "t", "score": 0.5} for at in (ago(days=399), ahead)]
    assert post(bot, "confidence", {"records": taken}, token).status_code == 201
    too_far = (datetime.now(UTC) + timedelta(minutes=70)).isoformat()
    refused = [{"at": at, "tag": "t", "score": 0.5} for at in (ago(days=401), too_far)]
    response = post(bot, "confidence", {"records": refused}, token)
    assert response.status_code == 422
    assert [p["at"] for p in response.json()["problems"]] == ["records[0].at", "records[1].at"]
    assert stored_scores(bot) == 2


def test_the_window_is_configurable(slack: Any, database_url: str) -> None:
    """ingest.accept_past_days and accept_future_minutes move the window's edges."""
    from opsbot.testing.live import LiveBot

    config = parse_config("ingest: {accept_past_days: 3, accept_future_minutes: 0}")
    with LiveBot(slack, database_url, config=config) as bot:
        token = make_token(bot, "ingest")
        ok = post(bot, "confidence", {"records": scores("t", [0.5], days_ago=2)}, token)
        assert ok.status_code == 201
        old = post(bot, "confidence", {"records": scores("t", [0.5], days_ago=4)}, token)
        assert old.status_code == 422
        assert "accept_past_days" in old.json()["problems"][0]["problem"]
        soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
        ahead = post(bot, "confidence", {"records": [{"at": soon, "tag": "t", "score": 1}]}, token)
        assert ahead.status_code == 422


def test_opsbot_ingest_refuses_the_same_times(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`opsbot ingest` names the line and field of a record dated 2999, and stores nothing."""
    monkeypatch.setenv("OPSBOT_DATABASE_URL", database_url)
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    path = tmp_path / "bad.jsonl"
    lines = [
        {"kind": "confidence", "at": at, "tag": "t", "score": 0.5}
        for at in (ago(days=1), "2999-01-01T00:00:00+00:00")
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: line 2: at: is outside the accepted time window" in err
    assert f"{path}: line 1:" not in err
