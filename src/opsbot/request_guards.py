"""Guards in front of every route: a body too large is refused before it is read whole, and a
JSON API refuses bodies that are not declared as JSON.

They run as ASGI middleware, before any route reads, parses or verifies a byte, so a hostile
client costs at most the limit in memory and never reaches a database or a metric label.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SLACK_MAX_BODY = 2 * 1024 * 1024  # a 100-block view submission, form-encoded, is well under 1 MB
INGEST_MAX_BODY = 16 * 1024 * 1024  # 10,000 records fit in well under 2 MB
DEFAULT_MAX_BODY = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class BodyRule:
    """Requests whose path starts with ``prefix``: at most ``max_bytes``, JSON only if asked."""

    prefix: str
    max_bytes: int
    json_only: bool = False


DEFAULT_RULES = (
    BodyRule("/slack/events", SLACK_MAX_BODY),
    BodyRule("/api/", INGEST_MAX_BODY, json_only=True),
)


class RequestGuards:
    """ASGI middleware: 415 for a body to a JSON API not sent as JSON, 413 past a path's limit.

    A declared Content-Length over the limit is refused before a byte of the body is read; a
    body without one (chunked) is counted as it arrives and refused at the first byte over.
    The body read here is handed on to the route unchanged.
    """

    def __init__(
        self,
        app: ASGIApp,
        rules: Sequence[BodyRule] = DEFAULT_RULES,
        default_max_bytes: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.app = app
        self.rules = tuple(rules)
        self.default_max_bytes = default_max_bytes

    def rule_for(self, path: str) -> BodyRule:
        for rule in self.rules:
            if path.startswith(rule.prefix):
                return rule
        return BodyRule("", self.default_max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        rule = self.rule_for(scope["path"])
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        has_body = declared not in ("", "0") or "transfer-encoding" in headers
        if rule.json_only and has_body and not is_json(headers.get("content-type", "")):
            await refuse(send, 415, UNSUPPORTED)
            return
        if declared.isdigit() and int(declared) > rule.max_bytes:
            await refuse(send, 413, too_large(rule.max_bytes))
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > rule.max_bytes:
                await refuse(send, 413, too_large(rule.max_bytes))
                return
        await self.app(scope, _replay(bytes(body), receive), send)


def is_json(content_type: str) -> bool:
    """True for ``application/json``, with or without parameters such as a charset."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


UNSUPPORTED = {
    "error": "unsupported media type",
    "message": "Send the body as JSON with the header 'Content-Type: application/json'.",
}


def too_large(limit: int) -> dict[str, str]:
    return {
        "error": "too large",
        "message": f"Send at most {limit} bytes per request (split a batch into smaller ones).",
    }


async def refuse(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),  # the unread rest of the body must not be parsed
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as Starlette expects

    return replay
