"""HTTP surface: /slack/events, /healthz, /metrics and the ingest API's routes."""

from __future__ import annotations

import json
import logging
import time
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
            data = json.loads(body)
            if data.get("type") == "event_callback":
                return f"event:{(data.get('event') or {}).get('type', 'unknown')}"
            return str(data.get("type", "unknown"))
        form = parse_qs(body.decode("utf-8"))
        if "command" in form:
            return "command"
        if "payload" in form:
            return str(json.loads(form["payload"][0]).get("type", "unknown"))
    except (ValueError, UnicodeDecodeError, AttributeError):
        return "malformed"
    return "unknown"


def build_web(
    ctx: Context, bolt_app: App, metrics: Metrics, extra_routes: list[BaseRoute] | None = None
) -> Starlette:
    verifier = SignatureVerifier(ctx.settings.signing_secret() or "")

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        body = await request.body()
        kind = request_kind(body, request.headers.get("content-type", ""))
        if not verify_slack_request(verifier, body, request.headers):
            metrics.requests.labels(kind=kind, status="401").inc()
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_response = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
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
    return Starlette(routes=routes)


def outbox_depth_reader(ctx: Context) -> Any:
    def read() -> float:
        try:
            with ctx.tx() as session:
                return float(outbox.depth(session))
        except Exception:  # noqa: BLE001  a scrape must not fail because the database is away
            return float("nan")

    return read
