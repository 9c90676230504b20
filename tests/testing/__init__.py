"""Tests of the Slack stand-in (opsbot.testing), plus a throwaway bot that receives its requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from opsbot.testing import FakeSlack


@dataclass
class Got:
    """One request the throwaway bot received."""

    headers: dict[str, str]
    body: bytes
    valid: bool

    @property
    def payload(self) -> Any:
        """The JSON of an event or interaction, or the fields of a slash command."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return json.loads(self.body)
        form = dict(parse_qsl(self.body.decode(), keep_blank_values=True))
        return json.loads(form["payload"]) if "payload" in form else form


class ThrowawayBot:
    """A stdlib HTTP server standing in for the bot: verifies signatures, records, answers."""

    def __init__(self, secret: str) -> None:
        self.verifier = SignatureVerifier(secret)
        self.got: list[Got] = []
        self.answer: Callable[[Got], tuple[int, str]] = lambda got: (200, "")
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                got = Got(headers, body, bot.verifier.is_valid_request(body, headers))
                bot.got.append(got)
                status, text = bot.answer(got)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def stand_in() -> Iterator[FakeSlack]:
    """A started stand-in with #general (alice, bob) and the bot as a member."""
    with FakeSlack(signing_secret="s3cret", bot_token="xoxb-test", team_id="T0OPSBOT") as slack:
        slack.add_channel("general", members=["alice", "bob"])
        yield slack


@contextmanager
def throwaway_bot(slack: FakeSlack) -> Iterator[ThrowawayBot]:
    """A throwaway bot wired as the stand-in's bot_url."""
    bot = ThrowawayBot(slack.signing_secret)
    slack.bot_url = bot.url
    try:
        yield bot
    finally:
        bot.close()


def client(slack: FakeSlack, **kwargs: Any) -> WebClient:
    """A real slack_sdk WebClient pointed at the stand-in."""
    return WebClient(base_url=slack.api_url, token="xoxb-test", **kwargs)


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The body of the SlackApiError that ``call`` raises (fails the test if it succeeds)."""
    from slack_sdk.errors import SlackApiError

    try:
        call()
    except SlackApiError as refusal:
        return dict(refusal.response.data)  # type: ignore[arg-type]
    raise AssertionError("the call succeeded")
