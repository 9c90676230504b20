"""Slack's v0 request signing: ``v0=`` + HMAC-SHA256(secret, ``v0:{timestamp}:{body}``)."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, body: bytes, timestamp: int | str) -> str:
    """The ``X-Slack-Signature`` value for ``body`` sent at ``timestamp``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to every request it sends to an app."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {"X-Slack-Signature": signature(secret, body, ts), "X-Slack-Request-Timestamp": str(ts)}
