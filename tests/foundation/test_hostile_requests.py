"""Hostile and careless clients: no unsigned request creates state, oversized bodies get 413
before they are read whole, and the ingest API takes only JSON."""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from opsbot.request_guards import INGEST_MAX_BODY, SLACK_MAX_BODY
from tests.telemetry.helpers import make_token, scores

WORDS = ["app_mention", "message", "team_join", "block_actions", "x" * 40, "<script>", "é"]


def unsigned_bodies(count: int) -> list[tuple[bytes, str]]:
    """Bodies of every shape Slack sends, each with its own invented type or command."""
    rng = random.Random(8)
    bodies: list[tuple[bytes, str]] = []
    for n in range(count):
        word = f"{rng.choice(WORDS)}-{n}"
        shape = n % 4
        if shape == 0:
            event = {"type": "event_callback", "event_id": f"Ev{n}", "event": {"type": word}}
            bodies.append((json.dumps(event).encode(), "application/json"))
        elif shape == 1:
            payload = json.dumps({"type": word, "actions": [{"action_id": word}]})
            bodies.append(
                (urlencode({"payload": payload}).encode(), "application/x-www-form-urlencoded")
            )
        elif shape == 2:
            form = {"command": f"/{word}", "text": word, "user_id": "U1", "channel_id": "C1"}
            bodies.append((urlencode(form).encode(), "application/x-www-form-urlencoded"))
        else:
            bodies.append((json.dumps({"type": word}).encode(), "application/json"))
    return bodies


def row_counts(bot: Any) -> dict[str, int]:
    """How many rows each of opsbot's tables holds."""
    with Session(bot.ctx.engine) as session:
        return {
            table.name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
            for table in SQLModel.metadata.sorted_tables
        }


def metric_series(bot: Any) -> list[str]:
    """Every sample line /metrics serves, without its value."""
    text = httpx.get(f"{bot.url}/metrics", timeout=10).text
    return sorted(line.rsplit(" ", 1)[0] for line in text.splitlines() if not line.startswith("#"))


@pytest.fixture
def quiet_bot(slack: Any, database_url: str) -> Iterator[Any]:
    """opsbot serving requests with no scheduler or delivery worker: only requests write."""
    from opsbot.testing.live import LiveBot

    with LiveBot(slack, database_url, start_workers=False) as live:
        yield live


def test_unsigned_requests_create_no_state(quiet_bot: Any, slack: Any) -> None:
    """2,000 unsigned or forged requests of invented kinds add no metric series and no row."""
    bot = quiet_bot
    rows_before, series_before = row_counts(bot), metric_series(bot)
    with httpx.Client(timeout=10) as client:
        for n, (body, media) in enumerate(unsigned_bodies(2000)):
            headers = {"Content-Type": media}
            if n % 2:  # a fresh timestamp, a forged signature
                headers.update({**slack.sign(body), "X-Slack-Signature": "v0=" + "0" * 64})
            response = client.post(f"{bot.url}/slack/events", content=body, headers=headers)
            assert response.status_code == 401
    assert metric_series(bot) == series_before
    assert row_counts(bot) == rows_before
    text = httpx.get(f"{bot.url}/metrics", timeout=10).text
    assert 'opsbot_slack_requests_total{kind="unverified",status="401"} 2000.0' in text


def test_signed_requests_are_labelled_from_a_fixed_set(bot: Any, slack: Any) -> None:
    """Signed events and payloads of types opsbot does not know share one label each."""
    series_before = metric_series(bot)
    for n in range(30):
        slack.send_event({"type": f"invented_event_{n}", "user": "U1"})
        body = json.dumps({"type": f"invented_payload_{n}"}).encode()
        slack.post_to_bot(body, {**slack.sign(body), "Content-Type": "application/json"})
    added = [line for line in metric_series(bot) if line not in series_before]
    kinds = {line.split('kind="', 1)[1].split('"', 1)[0] for line in added}
    assert kinds <= {"event:other", "other"}
    assert len(added) <= 2 * (len(series_before) + 20)  # a few series per kind, not per request


def _raw_post(url: str, head: dict[str, str], first_bytes: bytes) -> tuple[int, dict[str, Any]]:
    """Send a request's headers and only the start of its body, then read the answer.

    A server that read the whole declared body before answering would never answer (the
    rest never comes), so an answer at all shows the body was refused unread.
    """
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in head.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + first_bytes)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head_text, _, body = answer.partition(b"\r\n\r\n")
    return int(head_text.split()[1]), json.loads(body)


def test_oversized_slack_body_is_refused_unread(bot: Any, slack: Any) -> None:
    """A 50 MB body to /slack/events gets 413 after its headers, before the body arrives."""
    status, body = _raw_post(
        f"{bot.url}/slack/events",
        {"Content-Type": "application/json", "Content-Length": str(50 * 1024 * 1024)},
        b'{"type": "event_callback", "event": {"type": "',
    )
    assert status == 413
    assert str(SLACK_MAX_BODY) in body["message"]


def test_oversized_chunked_bodies_are_refused_at_the_limit(bot: Any) -> None:
    """A body sent without a length is counted as it arrives and refused once over the limit."""
    token = make_token(bot, "ingest")
    for path, limit, extra in [
        ("/slack/events", SLACK_MAX_BODY, {}),
        ("/api/v1/confidence", INGEST_MAX_BODY, {"Authorization": f"Bearer {token}"}),
    ]:
        chunk = b"a" * 65536
        chunks = (limit // len(chunk)) + 2
        sent = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        head = {"Content-Type": "application/json", "Transfer-Encoding": "chunked", **extra}
        status, body = _raw_post(f"{bot.url}{path}", head, sent * chunks)  # no last chunk
        assert status == 413, path
        assert body["error"] == "too large"


def test_oversized_ingest_body_is_refused_unread(bot: Any) -> None:
    """A 50 MB declared body to the ingest API gets 413 before the body arrives."""
    token = make_token(bot, "ingest")
    status, body = _raw_post(
        f"{bot.url}/api/v1/outcomes",
        {
            "Content-Type": "application/json",
            "Content-Length": str(50 * 1024 * 1024),
            "Authorization": f"Bearer {token}",
        },
        b'{"records": [',
    )
    assert status == 413
    assert body["error"] == "too large"


def test_ingest_takes_only_json(bot: Any) -> None:
    """JSON sent as text/plain, form-encoded or without a type gets 415, and nothing is stored."""
    from tests.telemetry.helpers import stored_scores

    token = make_token(bot, "ingest")
    payload = json.dumps({"records": scores("refund-agent", [0.5], days_ago=1)})
    cases: list[tuple[str | None, str]] = [
        ("text/plain", payload),
        ("application/x-www-form-urlencoded", urlencode({"records": payload})),
        ("application/x-www-form-urlencoded", payload),
        (None, payload),
        ("application/jsonx", payload),
    ]
    for media, content in cases:
        headers = {"Authorization": f"Bearer {token}"}
        if media:
            headers["Content-Type"] = media
        response = httpx.post(
            f"{bot.url}/api/v1/confidence", content=content, headers=headers, timeout=10
        )
        assert response.status_code == 415, media
        assert "application/json" in response.json()["message"]
    ok = httpx.post(
        f"{bot.url}/api/v1/confidence",
        content=payload,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=utf-8",
        },
        timeout=10,
    )
    assert ok.status_code == 201
    assert stored_scores(bot) == 1
