"""Requests from "Slack" to the bot: signed POSTs of commands, interactions and events."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .clock import real_monotonic
from .model import Response
from .signing import sign

if TYPE_CHECKING:
    from .socket_mode import SocketModeServer


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
    """Sends what a person does to the bot: signed to its request URL, or over Socket Mode."""

    def __init__(self, secret: str, timeout: float = 10.0) -> None:
        self.secret = secret
        self.url: str | None = None
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self.socket: SocketModeServer | None = None  # used while a client is connected to it

    def _send(
        self,
        kind: str,
        payload: dict[str, Any],
        body: bytes,
        content_type: str,
        retry: tuple[int, str] | None = None,
    ) -> Response:
        if self.socket is not None and self.socket.connected:
            num, reason = retry or (None, "")
            response = self.socket.deliver(
                kind, payload, retry_num=num, retry_reason=reason, timeout=self.timeout
            )
        else:
            headers = {"Content-Type": content_type, **sign(self.secret, body, int(time.time()))}
            if retry is not None:
                headers |= {"X-Slack-Retry-Num": str(retry[0]), "X-Slack-Retry-Reason": retry[1]}
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
        retry = None if retry_num is None else (retry_num, retry_reason)
        return self._send(
            "event", envelope, json.dumps(envelope).encode(), "application/json", retry
        )
