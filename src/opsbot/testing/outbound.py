"""Requests from "Slack" to the bot: signed POSTs of commands, interactions and events."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .clock import real_monotonic
from .model import Response
from .signing import sign


@dataclass
class Delivery:
    """One request the stand-in sent to the bot, and what the bot answered."""

    kind: str
    payload: dict[str, Any]
    response: Response


def post(url: str | None, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST ``body`` as is; HTTP errors become a Response, never an exception."""
    if not url:
        raise AssertionError("slack.bot_url is not set: where should Slack send this?")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = real_monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, raw, got = answer.status, answer.read(), dict(answer.headers.items())
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers.items())
    return Response(status, raw.decode("utf-8", "replace"), got, real_monotonic() - started)


class BotLink:
    """Signs and sends what a person does to the bot's request URL."""

    def __init__(self, secret: str, timeout: float = 10.0) -> None:
        self.secret = secret
        self.url: str | None = None
        self.timeout = timeout
        self.deliveries: list[Delivery] = []

    def _send(
        self,
        kind: str,
        payload: dict[str, Any],
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
    ) -> Response:
        headers = {"Content-Type": content_type, **sign(self.secret, body, int(time.time()))}
        headers.update(extra or {})
        response = post(self.url, body, headers, self.timeout)
        self.deliveries.append(Delivery(kind, payload, response))
        return response

    def command(self, fields: dict[str, str]) -> Response:
        """A slash command: form-encoded fields."""
        return self._send(
            "command", fields, urlencode(fields).encode(), "application/x-www-form-urlencoded"
        )

    def interaction(self, payload: dict[str, Any]) -> Response:
        """block_actions, view_submission, view_closed: one form field ``payload`` of JSON."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(payload["type"], payload, body, "application/x-www-form-urlencoded")

    def event(
        self,
        envelope: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """An Events API envelope as JSON, with the retry headers when it is a redelivery."""
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._send(
            "event", envelope, json.dumps(envelope).encode(), "application/json", extra
        )
