"""Validation of ingest batches: 422 naming each bad record by index and field; all or nothing."""

from __future__ import annotations

from typing import Any

from opsbot.telemetry.archive import unpack_scores
from opsbot.telemetry.store import (
    ConfidenceArchive,
    ConfidenceDay,
    EvalCase,
    EvalRun,
    OutcomeRecord,
)

from .helpers import (
    ago,
    assert_no_leak,
    count_rows,
    day_histograms,
    make_token,
    outcomes,
    post,
    scores,
    stored_scores,
)


def test_bad_record_is_named_by_index_and_field(bot: Any) -> None:
    """records[3].score out of [0, 1] is refused with that path, and nothing is stored."""
    token = make_token(bot, "ingest")
    records = scores("refund-agent", [0.1, 0.2, 0.3, 1.5, 0.4], days_ago=1)
    response = post(bot, "confidence", {"records": records}, token)
    assert response.status_code == 422
    body = response.json()
    assert [p["at"] for p in body["problems"]] == ["records[3].score"]
    assert "1.5" not in response.text  # the offending value is not echoed
    assert_no_leak(response.text, token)
    assert count_rows(bot, ConfidenceArchive) == 0
    assert count_rows(bot, ConfidenceDay) == 0


def test_every_problem_is_listed(bot: Any) -> None:
    """Naive times, empty tags, unknown outcomes, wrong types and unknown fields each get a path."""
    token = make_token(bot, "ingest")
    good = outcomes("refund-agent", {"autonomous": 1}, days_ago=1)[0]
    records = [
        good,
        {**good, "at": "2026-11-20T10:00:00"},
        {**good, "tag": "  "},
        {**good, "outcome": "ignored"},
        {**good, "success": "yes"},
        {**good, "cost": -1},
        {**good, "colour": "red"},
    ]
    response = post(bot, "outcomes", {"records": records}, token)
    assert response.status_code == 422
    paths = [p["at"] for p in response.json()["problems"]]
    assert paths == [
        "records[1].at",
        "records[2].tag",
        "records[3].outcome",
        "records[4].success",
        "records[5].cost",
        "records[6].colour",
    ]
    assert count_rows(bot, OutcomeRecord) == 0


def test_eval_run_case_paths(bot: Any) -> None:
    """An eval run's bad case is named cases[i].field; the run is not stored."""
    token = make_token(bot, "ingest")
    run = {
        "suite": "refunds",
        "tag": "prompt-v12",
        "run_id": "r-81",
        "at": ago(hours=1),
        "cases": [{"id": "a", "passed": True}, {"id": "b", "passed": "maybe"}],
    }
    response = post(bot, "eval-runs", run, token)
    assert response.status_code == 422
    assert [p["at"] for p in response.json()["problems"]] == ["cases[1].passed"]
    assert count_rows(bot, EvalRun) == count_rows(bot, EvalCase) == 0


def test_batch_size_limit(bot: Any) -> None:
    """10,000 records are stored whole; 10,001 are refused whole."""
    token = make_token(bot, "ingest")
    records = scores("refund-agent", [0.5], days_ago=1) * 10_000
    assert post(bot, "confidence", {"records": records}, token).json()["stored"] == 10_000
    response = post(bot, "confidence", {"records": [*records, records[0]]}, token)
    assert response.status_code == 422
    assert response.json()["problems"][0]["at"] == "records"
    assert stored_scores(bot) == 10_000
    assert sum(n for counts in day_histograms(bot).values() for n in counts.values()) == 10_000


def test_malformed_json_and_empty_batches(bot: Any) -> None:
    """A body that is not JSON, or a batch with no records, is refused without a traceback."""
    token = make_token(bot, "ingest")
    broken = post(bot, "confidence", None, token, raw=b'{"records": [')
    assert broken.status_code == 422
    assert broken.json()["problems"][0]["at"] == "body"
    assert_no_leak(broken.text, token)
    assert post(bot, "confidence", {"records": []}, token).status_code == 422
    assert post(bot, "outcomes", [1, 2], token).status_code == 422


def test_a_good_batch_is_stored_with_its_rollups(bot: Any) -> None:
    """The batch is archived as one row and its day's histogram is written with it."""
    token = make_token(bot, "ingest")
    records = scores("refund-agent", [0.1, 0.1, 0.9], days_ago=1)
    response = post(bot, "confidence", {"records": records}, token)
    assert response.status_code == 201
    assert response.json() == {"stored": 3, "kind": "confidence"}
    assert count_rows(bot, ConfidenceArchive) == 1 and stored_scores(bot) == 3
    day = records[0]["at"][:10]
    assert day_histograms(bot) == {(day, "refund-agent"): {100: 2, 900: 1}}


def test_the_archive_gives_back_every_score_as_received(bot: Any) -> None:
    """Tags, times (to the microsecond, in UTC) and exact scores come back in order."""
    from datetime import datetime

    from sqlmodel import Session, select

    token = make_token(bot, "ingest")
    records = [
        {"at": "2026-11-20T23:59:59.999999-05:00", "tag": " refund-agent ", "score": 0.1 + 0.2},
        {"at": "2026-11-21T04:59:59.999999Z", "tag": "café-agent", "score": 1},
        {"at": ago(hours=1), "tag": "refund-agent", "score": 0},
    ]
    assert post(bot, "confidence", {"records": records}, token).status_code == 201
    with Session(bot.ctx.engine) as session:
        (archived,) = session.exec(select(ConfidenceArchive)).all()
    back = unpack_scores(archived.payload)
    assert [(r.tag, r.at, r.score) for r in back] == [
        ("refund-agent", datetime.fromisoformat(records[0]["at"]), 0.1 + 0.2),
        ("café-agent", datetime.fromisoformat(records[1]["at"]), 1.0),
        ("refund-agent", datetime.fromisoformat(records[2]["at"]), 0.0),
    ]
    assert archived.first_at == back[0].at and archived.last_at == back[2].at
    histograms = day_histograms(bot)
    assert histograms[("2026-11-21", "refund-agent")] == {300: 1}  # 04:59 UTC, the next day
    assert histograms[("2026-11-21", "café-agent")] == {999: 1}
