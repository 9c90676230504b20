"""HTTP surface: /slack/events, /healthz, /metrics and the ingest API's routes."""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from opsbot import outbox
from opsbot.context import Context
from opsbot.db import ping
from opsbot.observability import REQUEST_KINDS, UNVERIFIED, Metrics
from opsbot.request_guards import RequestGuards

log = logging.getLogger(__name__)
REPLAY_WINDOW_SECONDS = 300


def verify_slack_request(verifier: SignatureVerifier, body: bytes, headers: Any) -> bool:
    """Slack's v0 signature over the raw body, within five minutes; malformed means no."""
    if not plausibly_signed(headers):
        return False
    timestamp, signature = headers["x-slack-request-timestamp"], headers["x-slack-signature"]
    return verifier.is_valid(body, timestamp, signature)


def plausibly_signed(headers: Any) -> bool:
    """The signature headers are well formed and the timestamp is within five minutes: checked
    before the body is read, so a request that cannot be Slack's costs nothing more."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or len(timestamp) > 12 or not signature.startswith("v0="):
        return False
    return abs(time.time() - int(timestamp)) <= REPLAY_WINDOW_SECONDS


def kind_of(parsed: Any) -> str:
    """The metrics label of a verified body as Bolt parsed it, always one of REQUEST_KINDS."""
    if not isinstance(parsed, dict) or not parsed:
        return "other"
    if "command" in parsed:
        return "command"
    kind = parsed.get("type")
    if kind == "event_callback":
        event = parsed.get("event")
        kind = f"event:{event.get('type') if isinstance(event, dict) else None}"
        return kind if kind in REQUEST_KINDS else "event:other"
    return kind if isinstance(kind, str) and kind in REQUEST_KINDS else "other"


def build_web(
    ctx: Context, bolt_app: App, metrics: Metrics, extra_routes: list[BaseRoute] | None = None
) -> Starlette:
    secret = ctx.settings.signing_secret()  # absent in Socket Mode: then nothing verifies
    verifier = SignatureVerifier(secret) if secret else None

    def unverified() -> Response:
        """Nothing of an unverified request is read into state: one fixed counter goes up."""
        metrics.requests.labels(kind=UNVERIFIED, status="401").inc()
        return JSONResponse({"error": "invalid request"}, status_code=401)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        if verifier is None or not plausibly_signed(request.headers):
            return unverified()
        body = await request.body()
        if not verify_slack_request(verifier, body, request.headers):
            return unverified()
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
    return Starlette(
        routes=routes, lifespan=_freeze_startup_heap, middleware=[Middleware(RequestGuards)]
    )


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
