"""The Web API dispatcher: authentication, faults, rate limits, then the method's handler.

Handlers live in the ``api_*`` modules and register themselves with :func:`method`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Real
from .model import ApiError, Call
from .state import Workspace
from .traffic import Traffic

TIERS: dict[str, int | None] = {}
Handler = Callable[["Ctx", "Args"], dict[str, Any]]
METHODS: dict[str, Handler] = {}


def method(name: str, *, tier: int | None) -> Callable[[Handler], Handler]:
    """Register a handler for a Web API method and its rate-limit tier (None: special)."""

    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        TIERS[name] = tier
        return fn

    return register


@dataclass
class Ctx:
    """What a handler may use: the workspace, the server's base URL, Slack's timers."""

    ws: Workspace
    base_url: str
    trigger_ttl: float = 3.0
    open_socket: Callable[[], str] | None = None  # a Socket Mode URL (FakeSlack sets it)


class Args:
    """A request's parameters (query, form or JSON body), read with Slack's leniency."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def get(self, name: str, *, missing: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if missing:
                raise ApiError(missing)
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def need(self, name: str, missing: str) -> str:
        value = self.get(name, missing=missing)
        assert value is not None
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is True or str(value).lower() in ("1", "true")

    def number(self, name: str, default: int) -> int:
        value = self.raw.get(name)
        try:
            return int(value) if value not in (None, "") else default
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments") from None

    def decoded(self, name: str, *, invalid: str) -> Any:
        """A parameter sent as JSON text (form bodies) or as a JSON value (JSON bodies)."""
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(invalid) from None
        return value

    def items(self, name: str) -> list[str]:
        value = self.raw.get(name)
        if isinstance(value, list):
            return [str(v) for v in value]
        return [v.strip() for v in str(value or "").split(",") if v.strip()]


@dataclass
class Answer:
    """An HTTP answer to a Web API request."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _channel_of(ws: Workspace, params: dict[str, Any]) -> str | None:
    ref = params.get("channel") or params.get("channel_id")
    if not isinstance(ref, str) or not ref:
        return None
    found = ws.find_channel(ref)
    return found.id if found else ref


def dispatch(
    ctx: Ctx,
    traffic: Traffic,
    name: str,
    params: dict[str, Any],
    authorization: str | None,
    tokens: set[str],
) -> Answer:
    """Answer one Web API call and record it in ``ws.calls``."""
    args = {k: v for k, v in params.items() if k != "token"}
    answer = _answer(ctx, traffic, name, params, authorization, tokens)
    error = answer.body.get("error") if not answer.body.get("ok") else None
    with ctx.ws.lock:
        ctx.ws.calls.append(Call(name, args, answer.status, error))
        ctx.ws.bot_acted()
    return answer


def _answer(
    ctx: Ctx,
    traffic: Traffic,
    name: str,
    params: dict[str, Any],
    authorization: str | None,
    tokens: set[str],
) -> Answer:
    handler = METHODS.get(name)
    if handler is None:
        return Answer(404, {"ok": False, "error": "unknown_method"})
    token = params.get("token")
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    if not token:
        return Answer(200, {"ok": False, "error": "not_authed"})
    if (name in APP_TOKEN_METHODS) != str(token).startswith("xapp-"):
        return Answer(200, {"ok": False, "error": "not_allowed_token_type"})
    if name not in APP_TOKEN_METHODS and token not in tokens:
        return Answer(200, {"ok": False, "error": "invalid_auth"})
    channel_id = _channel_of(ctx.ws, params)
    fault = traffic.take_fault(name, channel_id, ctx.ws)
    if fault is not None and not fault.delay_after_effect:
        Real.sleep(fault.delay)
        if fault.status != 200 or fault.error:
            return _fault_answer(fault.status, fault.error, fault.retry_after)
    retry_after = traffic.throttle(name, TIERS.get(name), channel_id)
    if retry_after is not None:
        return _fault_answer(429, "ratelimited", retry_after)
    answer = _run(ctx, handler, params)
    if fault is not None and fault.gate is not None:
        fault.gate.wait(HOLD_SECONDS)
    if fault is not None and fault.delay_after_effect:
        Real.sleep(fault.delay)
        if fault.status != 200 or fault.error:
            return _fault_answer(fault.status, fault.error, fault.retry_after)
    return answer


HOLD_SECONDS = 30.0  # a held call is answered after this even if nobody releases it
APP_TOKEN_METHODS = {"apps.connections.open"}  # an app-level (xapp-) token, and only these


@method("apps.connections.open", tier=1)
def _connections_open(ctx: Ctx, args: Args) -> dict[str, Any]:
    """A single-use Socket Mode URL; any xapp- token is the app's."""
    if ctx.open_socket is None:
        raise ApiError("internal_error")
    return {"url": ctx.open_socket()}


def _run(ctx: Ctx, handler: Handler, params: dict[str, Any]) -> Answer:
    try:
        with ctx.ws.lock:
            return Answer(200, {"ok": True, **handler(ctx, Args(params))})
    except ApiError as refusal:
        return Answer(refusal.status, refusal.body, refusal.headers)


def _fault_answer(status: int, error: str | None, retry_after: int | None) -> Answer:
    if status == 429:
        seconds = 1 if retry_after is None else retry_after
        return Answer(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(int(seconds))}
        )
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
    return Answer(status, {"ok": False, "error": error or "internal_error"}, headers)
