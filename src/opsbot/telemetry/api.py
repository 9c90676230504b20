"""The ingest API under /api/v1: bearer tokens, validated all-or-nothing batches, idempotency.

Error bodies are our own sentences and field paths only: never a traceback, SQL or a token.
After a stored batch's answer is sent, the ``ctx.after_ingest`` hooks run in the background.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from opsbot.context import Context
from opsbot.telemetry import idempotency, tokens
from opsbot.telemetry.ingest import DuplicateRun, store_batch
from opsbot.telemetry.schemas import BATCH_MODELS, problems, refusal, validation_context

log = logging.getLogger(__name__)
FORGET_KEYS_JOB = "forget-old-idempotency-keys"
FORGET_KEYS_EVERY = 300  # seconds
ENDPOINTS = {
    "/api/v1/eval-runs": "eval-run",
    "/api/v1/confidence": "confidence",
    "/api/v1/outcomes": "outcome",
}


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    stored: bool = False

    def response(self, background: BackgroundTask | None = None) -> Response:
        return JSONResponse(
            self.body,
            status_code=self.status,
            headers=self.headers,
            background=background if self.stored else None,
        )


UNAUTHORIZED = Answer(
    401,
    {
        "error": "unauthorized",
        "message": "Send a valid, unrevoked token as "
        "'Authorization: Bearer <token>' "
        "(make one with `opsbot token create`).",
    },
    {"WWW-Authenticate": 'Bearer realm="opsbot"'},
)


def forbidden(scope: str) -> Answer:
    return Answer(
        403,
        {
            "error": "forbidden",
            "message": f"This token lacks the {scope!r} scope; make one with "
            f"`opsbot token create --scope {scope} --name NAME`.",
        },
    )


def authorize(ctx: Context, headers: Any, *scopes: str) -> tokens.Caller | Answer:
    scheme, _, presented = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return UNAUTHORIZED
    with ctx.tx() as session:
        caller = tokens.authenticate(session, presented.strip())
    if caller is None:
        return UNAUTHORIZED
    return caller if caller.may(*scopes) else forbidden(scopes[0])


def ingest(ctx: Context, path: str, headers: Any, body: bytes) -> Answer:
    """Authorize, validate, then store the whole batch (or nothing) in one transaction."""
    caller = authorize(ctx, headers, "ingest")
    if isinstance(caller, Answer):
        return caller
    kind = ENDPOINTS[path]
    try:
        batch = BATCH_MODELS[kind].model_validate_json(
            body, context=validation_context(ctx.config.ingest.around(ctx.clock()))
        )
    except ValidationError as exc:
        return Answer(422, refusal(problems(exc)))
    key = headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= idempotency.MAX_KEY and key.isprintable()):
        return Answer(
            400,
            {
                "error": "bad Idempotency-Key",
                "message": f"Use 1 to {idempotency.MAX_KEY} printable characters.",
            },
        )
    try:
        with ctx.tx() as session:
            now = ctx.clock()
            record_id = None
            if key is not None:
                record_id, seen = idempotency.claim(
                    session,
                    token_id=caller.token_id,
                    key=key,
                    digest=idempotency.body_hash(path, body),
                    now=now,
                )
                if seen is not None:
                    return replay(seen)
            answer = store_batch(session, batch, now=now, eval_run_hooks=ctx.eval_run_hooks)
            if record_id is not None:
                idempotency.remember(session, record_id, status=201, response=answer)
    except DuplicateRun as exc:
        return Answer(409, {"error": "conflict", "message": exc.for_slack()})
    except IntegrityError:  # a concurrent request stored the same eval run first
        return Answer(
            409,
            {
                "error": "conflict",
                "message": "This eval run was stored by a request running at the "
                "same time; nothing was stored from this one.",
            },
        )
    return Answer(201, answer, stored=True)


def replay(seen: idempotency.Seen) -> Answer:
    if not seen.same_body:
        return Answer(
            409,
            {
                "error": "conflict",
                "message": "This Idempotency-Key was used with a different body; "
                "use a new key for a new batch.",
            },
        )
    return Answer(seen.status, seen.response, {"Idempotent-Replayed": "true"})


def routes(ctx: Context, after_ingest: Callable[[], None]) -> list[Route]:
    """The ingest routes; ``after_ingest`` runs after a stored batch's answer is sent."""

    async def post_batch(request: Request) -> Response:
        body = await request.body()  # opsbot.request_guards refused it already if too large
        answer = await run_in_threadpool(ingest, ctx, request.url.path, request.headers, body)
        return answer.response(BackgroundTask(after_ingest))

    return [Route(path, post_batch, methods=["POST"]) for path in ENDPOINTS]


def forget_old_keys(ctx: Context) -> int:
    """Forget idempotency keys older than they are kept; returns how many."""
    with ctx.tx() as session:
        return idempotency.prune(session, now=ctx.clock())


def register(app: Any, ctx: Context) -> None:
    """The ingest routes, the after-ingest hooks run behind them, and forgetting old keys."""
    runner = Coalesced(lambda: [hook() for hook in ctx.after_ingest])
    ctx.api_routes.extend(routes(ctx, runner.request))
    if ctx.scheduler is not None:
        ctx.scheduler.every(FORGET_KEYS_JOB, FORGET_KEYS_EVERY, lambda: forget_old_keys(ctx))


class Coalesced:
    """Runs ``work`` in the background, one run at a time: a request while it runs asks for one
    more run afterwards, never one each, so a burst of ingests costs two runs."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._again = False
        self._running = False

    def request(self) -> None:
        """Ask for a run soon; returns at once."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, name="after-ingest", daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                self._work()
            except Exception:
                log.exception("after-ingest hooks failed")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False
