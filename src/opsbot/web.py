"""HTTP surface: /slack/events, /healthz, /metrics and the ingest API's routes."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from opsbot import outbox
from opsbot.context import Context
from opsbot.db import ping
from opsbot.observability import Metrics

log = logging.getLogger(__name__)
REPLAY_WINDOW_SECONDS = 300


def verify_slack_request(verifier: SignatureVerifier, body: bytes, headers: Any) -> bool:
    """Slack's v0 signature over the raw body, within five minutes; malformed means no."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    if abs(time.time() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return verifier.is_valid(body, timestamp, signature)


def request_kind(body: bytes, content_type: str) -> str:
    """A short label for metrics: command, block_actions, view_submission, event:<type>…"""
    try:
        if content_type.startswith("application/json"):
            parsed = json.loads(body)
        else:
            form = parse_qs(body.decode("utf-8"))
            parsed = {k: v[0] for k, v in form.items()}
            if "payload" in parsed and "command" not in parsed:
                parsed = json.loads(parsed["payload"])
        return kind_of(parsed)
    except (ValueError, UnicodeDecodeError, AttributeError):
        return "malformed"


def kind_of(parsed: Any) -> str:
    """The metrics label of a body already parsed (as Bolt parses it)."""
    if not isinstance(parsed, dict) or not parsed:
        return "unknown"
    if "command" in parsed:
        return "command"
    if parsed.get("type") == "event_callback":
        return f"event:{(parsed.get('event') or {}).get('type', 'unknown')}"
    return str(parsed.get("type", "unknown"))


def build_web(
    ctx: Context, bolt_app: App, metrics: Metrics, extra_routes: list[BaseRoute] | None = None
) -> Starlette:
    secret = ctx.settings.signing_secret()  # absent in Socket Mode: then nothing verifies
    verifier = SignatureVerifier(secret) if secret else None

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        body = await request.body()
        if verifier is None or not verify_slack_request(verifier, body, request.headers):
            kind = request_kind(body, request.headers.get("content-type", ""))
            metrics.requests.labels(kind=kind, status="401").inc()
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_request = to_bolt_request(request, body)
        kind = kind_of(bolt_request.body)  # Bolt has parsed the body; do not parse it twice
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        response = to_starlette_response(bolt_response)
        metrics.requests.labels(kind=kind, status=str(response.status_code)).inc()
        metrics.ack_seconds.labels(kind=kind).observe(time.perf_counter() - started)
        return response

    async def healthz(_: Request) -> Response:
        problem = await run_in_threadpool(ping, ctx.engine)
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ok", "database": ctx.engine.dialect.name})

    async def prometheus(_: Request) -> Response:
        payload = await run_in_threadpool(metrics.render)
        return Response(payload, media_type="text/plain; version=0.0.4; charset=utf-8")

    routes: list[BaseRoute] = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
        *(extra_routes or []),
    ]
    return Starlette(routes=routes, lifespan=_freeze_startup_heap)


@contextlib.asynccontextmanager
async def _freeze_startup_heap(_: Starlette) -> AsyncIterator[None]:
    """Keep what startup built (the app, SQLAlchemy, migrations) out of later full collections.

    It lives as long as the process; left in the collected heap, each full collection scanned
    it for ~65 ms while every request in flight waited (benchmarks/ack_latency.py).
    """
    gc.collect()
    gc.freeze()
    yield


def outbox_depth_reader(ctx: Context) -> Any:
    def read() -> float:
        try:
            with ctx.tx() as session:
                return float(outbox.depth(session))
        except Exception:  # noqa: BLE001  a scrape must not fail because the database is away
            return float("nan")

    return read
