"""`GET /api/v1/dashboard`: the numbers Slack shows, as JSON, for a token with read or ingest."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from opsbot.context import Context
from opsbot.dashboard import service
from opsbot.telemetry.api import Answer, authorize


def read_dashboard(ctx: Context, headers: Any) -> Answer:
    caller = authorize(ctx, headers, "read", "ingest")
    if isinstance(caller, Answer):
        return caller
    with ctx.tx() as session:
        board = service.dashboard(
            session, ctx.config, now=ctx.clock(), remediation=ctx.remediation_durations
        )
        return Answer(200, board)


def routes(ctx: Context) -> list[Route]:
    """The dashboard's route under /api/v1."""

    async def get_dashboard(request: Request) -> Response:
        answer = await run_in_threadpool(read_dashboard, ctx, request.headers)
        return answer.response()

    return [Route("/api/v1/dashboard", get_dashboard, methods=["GET"])]
