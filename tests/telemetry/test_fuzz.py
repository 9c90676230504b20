"""No input reaches a 500: seeded random mutations of valid batches against each ingest endpoint."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import httpx

from .helpers import ago, assert_no_leak, get_dashboard, make_token

ANSWERS = {201, 400, 409, 413, 415, 422}
ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    "\u0000",
    "tag\u0000with-nul",
    "\ud800",
    "\U0001f4a5",
    "x" * 5000,
    0,
    -1,
    1,
    2**63,
    -(2**63) - 1,
    10**400,
    1e308,
    -1e308,
    5e-324,
    0.5,
    True,
    False,
    [],
    {},
    [1, 2],
    {"a": {"b": []}},
    "2026-11-27T10:00:00",
    "2026-11-27T10:00:00+00:00",
    "2026-02-30T10:00:00+00:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-23:59",
    "1970-01-01T00:00:00Z",
    "now",
    "autonomous",
    "NaN",
]


def valid_bodies() -> dict[str, Any]:
    """One valid batch per endpoint, each a few records long."""
    at = ago(hours=2)
    return {
        "confidence": {"records": [{"at": at, "tag": "agent", "score": 0.4}] * 3},
        "outcomes": {
            "records": [
                {"at": at, "tag": "agent", "outcome": "escalated", "cost": 0.5, "success": False}
            ]
            * 3
        },
        "eval-runs": {
            "suite": "refunds",
            "tag": "prompt-v1",
            "run_id": "r-1",
            "at": at,
            "cases": [{"id": "case-a", "passed": True, "score": 0.9}] * 2,
        },
    }


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``value`` (containers and scalars alike)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += leaves(item, (*path, index))
    return found


def mutate(body: Any, rng: random.Random) -> Any:
    """``body`` with one to three random changes: a value replaced, a key dropped or added."""
    body = copy.deepcopy(body)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(leaves(body))
        if not path:
            return rng.choice([*ODD_VALUES, [body], {"records": body}])
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.7:
            parent[path[-1]] = rng.choice(ODD_VALUES)
        elif action < 0.85 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "at", "tag", "records", "cases"])] = rng.choice(ODD_VALUES)
        else:
            parent.append(rng.choice(ODD_VALUES))
    return body


def encode(body: Any, rng: random.Random) -> bytes:
    """JSON text, sometimes cut short or with a byte flipped."""
    text = json.dumps(body).encode()
    roll = rng.random()
    if roll < 0.1 and text:
        return text[: rng.randrange(len(text))]
    if roll < 0.15 and text:
        index = rng.randrange(len(text))
        return text[:index] + bytes([rng.randrange(256)]) + text[index + 1 :]
    return text


def test_no_input_reaches_a_500(bot: Any) -> None:
    """900 mutated batches each get 201, 4xx with a JSON reason, and the dashboard still reads."""
    rng = random.Random(20261128)
    token = make_token(bot, "ingest", "read")
    answers: dict[int, int] = {}
    with httpx.Client(base_url=bot.url, timeout=30) as client:
        for n in range(900):
            endpoint, body = rng.choice(list(valid_bodies().items()))
            if endpoint == "eval-runs" and isinstance(body, dict):
                body["run_id"] = f"r-{n}"
            content = encode(mutate(body, rng), rng)
            headers = {
                "Authorization": f"Bearer {token}".encode(),
                "Content-Type": b"application/json",
            }
            if rng.random() < 0.2:
                keys = [b"k-1", b"k-2", b"k" * 300, b"a b", "é".encode(), b"\xff"]
                headers["Idempotency-Key"] = rng.choice(keys)
            response = client.post(f"/api/v1/{endpoint}", content=content, headers=headers)
            answers[response.status_code] = answers.get(response.status_code, 0) + 1
            assert response.status_code in ANSWERS, (endpoint, content[:300], response.text)
            if response.status_code != 201:
                assert response.json()["error"], content[:300]
                assert_no_leak(response.text, token)
    assert answers.get(201, 0) > 20 and answers.get(422, 0) > 100, answers  # both paths ran
    dashboard = get_dashboard(bot, token)
    assert dashboard.status_code == 200, dashboard.text


def test_what_the_fuzzing_found_is_refused_by_record(bot: Any) -> None:
    """A NUL in a name (PostgreSQL refuses it) and a cost whose sums overflow get 422 by path."""
    from .helpers import post

    token = make_token(bot, "ingest")
    outcome = {"at": ago(hours=1), "tag": "a", "outcome": "failed", "cost": 1.0, "success": False}
    records = [outcome, {**outcome, "tag": "a\u0000b"}, {**outcome, "cost": 1e308}]
    response = post(bot, "outcomes", {"records": records}, token)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [p["at"] for p in problems] == ["records[1].tag", "records[2].cost"]
    assert "control characters" in problems[0]["problem"]
    run = {"suite": "s\u0000", "tag": "t", "run_id": "r", "at": ago(hours=1), "cases": []}
    response = post(bot, "eval-runs", run, token)
    assert response.status_code == 422
    assert response.json()["problems"][0]["at"] == "suite"
