"""Idempotency-Key: a retry returns the first answer and stores nothing; another body gets 409."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsbot.telemetry.store import EvalCase, EvalRun

from .helpers import ago, count_rows, day_histograms, make_token, post, scores, stored_scores


def test_retry_with_same_key_replays_the_first_answer(bot: Any) -> None:
    """The same key and body answer as the first time, and the records are stored once."""
    token = make_token(bot, "ingest")
    batch = {"records": scores("refund-agent", [0.2, 0.4], days_ago=1)}
    first = post(bot, "confidence", batch, token, key="batch-1")
    again = post(bot, "confidence", batch, token, key="batch-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert stored_scores(bot) == 2


def test_same_key_with_another_body_is_409(bot: Any) -> None:
    """Reusing a key for a different batch is refused and stores nothing new."""
    token = make_token(bot, "ingest")
    post(bot, "confidence", {"records": scores("a", [0.2], days_ago=1)}, token, key="k")
    response = post(bot, "confidence", {"records": scores("a", [0.3], days_ago=1)}, token, key="k")
    assert response.status_code == 409
    assert stored_scores(bot) == 1


def test_keys_belong_to_their_token(bot: Any) -> None:
    """Two tokens may use the same key for their own batches."""
    one, two = make_token(bot, "ingest", name="one"), make_token(bot, "ingest", name="two")
    batch = {"records": scores("a", [0.2], days_ago=1)}
    assert post(bot, "confidence", batch, one, key="k").status_code == 201
    assert post(bot, "confidence", batch, two, key="k").headers.get("idempotent-replayed") is None
    assert stored_scores(bot) == 2


def test_eval_run_retry_does_not_duplicate_cases(bot: Any) -> None:
    """A retried eval run replays; a new request for a stored run_id without the key is 409."""
    token = make_token(bot, "ingest")
    run = {
        "suite": "refunds",
        "tag": "prompt-v12",
        "run_id": "r-81",
        "at": ago(hours=1),
        "cases": [{"id": "a", "passed": True, "score": 0.9}],
    }
    assert post(bot, "eval-runs", run, token, key="run-81").status_code == 201
    assert post(bot, "eval-runs", run, token, key="run-81").status_code == 201
    duplicate = post(bot, "eval-runs", run, token)
    assert duplicate.status_code == 409
    assert "r-81" in duplicate.json()["message"]
    assert count_rows(bot, EvalRun) == count_rows(bot, EvalCase) == 1


class MovableClock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def moving_bot(slack: Any, database_url: str, clock: MovableClock) -> Iterator[Any]:
    from opsbot.testing.live import LiveBot

    with LiveBot(slack, database_url, clock=clock) as live:
        yield live


def test_keys_are_kept_at_least_24_hours(moving_bot: Any, clock: MovableClock) -> None:
    """A retry 25 hours later still replays; after the 48 h retention the key is free again."""
    token = make_token(moving_bot, "ingest")
    batch = {"records": scores("a", [0.2], days_ago=1)}
    post(moving_bot, "confidence", batch, token, key="late")
    clock.offset = timedelta(hours=25)
    assert (
        post(moving_bot, "confidence", batch, token, key="late").headers.get("idempotent-replayed")
        == "true"
    )
    assert stored_scores(moving_bot) == 1
    clock.offset = timedelta(hours=49)
    assert (
        post(moving_bot, "confidence", batch, token, key="late").headers.get("idempotent-replayed")
        is None
    )
    assert stored_scores(moving_bot) == 2


def test_concurrent_retries_store_once(bot: Any) -> None:
    """Six simultaneous sends of one keyed batch all get the same answer; it is stored once."""
    from concurrent.futures import ThreadPoolExecutor

    token = make_token(bot, "ingest")
    batch = {"records": scores("a", [0.2, 0.3, 0.4], days_ago=1)}
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: post(bot, "confidence", batch, token, key="same"), range(6))
        )
    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.text for a in answers}) == 1
    assert stored_scores(bot) == 3


def test_concurrent_batches_add_up_in_the_rollups(bot: Any) -> None:
    """Batches landing at once on the same (day, tag) histogram add up, none overwritten."""
    from concurrent.futures import ThreadPoolExecutor

    token = make_token(bot, "ingest")
    at = ago(days=1)
    batch = {"records": [{"at": at, "tag": "a", "score": s} for s in (0.25, 0.5, 0.75)] * 100}
    with ThreadPoolExecutor(8) as pool:
        codes = list(
            pool.map(lambda _: post(bot, "confidence", batch, token).status_code, range(8))
        )
    assert codes == [201] * 8
    assert day_histograms(bot) == {(at[:10], "a"): {250: 800, 500: 800, 750: 800}}
    assert stored_scores(bot) == 2400


def test_concurrent_batches_over_several_days_and_tags_add_up(bot: Any) -> None:
    """Eight batches at once, each touching the same nine (day, tag) histograms in its own
    order, all succeed (no deadlock) and every count is there."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    token = make_token(bot, "ingest")
    cells = [(f"2026-11-{day}T12:00:00+00:00", tag) for day in (18, 19, 20) for tag in "abc"]
    bodies = []
    for seed in range(8):
        order = cells * 10
        random.Random(seed).shuffle(order)
        bodies.append({"records": [{"at": at, "tag": tag, "score": 0.5} for at, tag in order]})
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda b: post(bot, "confidence", b, token).status_code, bodies))
    assert codes == [201] * 8
    assert day_histograms(bot) == {(at[:10], tag): {500: 80} for at, tag in cells}
    assert stored_scores(bot) == 720
