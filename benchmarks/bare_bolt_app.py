"""The baseline for ack_latency.py: a bare Bolt app with one command that only acks.

It runs on opsbot's server stack (uvicorn + Starlette, the request verified before Bolt sees
it, then ``run_in_threadpool(app.dispatch, ...)`` as in ``opsbot.web``, the startup heap
frozen), so the difference between the two is opsbot's own work.

    SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… OPSBOT_SLACK_API_URL=http://…/api/ \
        python benchmarks/bare_bolt_app.py --port 3001
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# The very function opsbot's /slack/events uses, so both apps verify requests identically.
from opsbot.web import verify_slack_request


def build(token: str, signing_secret: str, api_url: str) -> Starlette:
    app = App(
        token=token,
        signing_secret=signing_secret,
        token_verification_enabled=False,
        request_verification_enabled=False,  # verified in the route, as opsbot does
        client=WebClient(token=token, base_url=api_url),
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=16),  # opsbot's listener pool size
    )

    @app.command("/ops")
    def ops(ack: Any) -> None:
        ack()

    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if not verify_slack_request(verifier, body, request.headers):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        gc.collect()  # as opsbot.web does at startup
        gc.freeze()
        yield

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    args = parser.parse_args()
    web = build(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["OPSBOT_SLACK_API_URL"],
    )
    # The same uvicorn settings as `opsbot serve`.
    uvicorn.run(
        web,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
