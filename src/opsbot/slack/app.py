"""The Bolt app factory: one Web API client with retries, dedupe, one error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from opsbot.context import Context
from opsbot.manifest import COMMANDS
from opsbot.slack.commands import register_commands
from opsbot.slack.dedupe import dedupe_middleware
from opsbot.slack.directory import directory_middleware
from opsbot.slack.home import register_home
from opsbot.slack.listeners import failure_text

log = logging.getLogger(__name__)
Registrar = Callable[[Any, Context], None]  # a part's register(app, ctx)


def web_client(token: str | None, base_url: str, *, retries: bool = True) -> WebClient:
    """A Web API client on ``OPSBOT_SLACK_API_URL``; with retries for 429, 5xx and lost connections.

    Delivery passes ``retries=False``: it schedules its own retries instead of sleeping.
    """
    handlers: list[Any] = []
    if retries:
        handlers = [
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return WebClient(token=token, base_url=base_url, timeout=10, retry_handlers=handlers)


def build_app(
    ctx: Context, registrars: Sequence[Registrar], *, executor: Executor | None = None
) -> App:
    """The Bolt app with the listeners each registrar adds (the composition root passes
    ``opsbot.features.REGISTRARS``); requests are verified in the web layer."""
    settings = ctx.settings
    executor = executor or ThreadPoolExecutor(max_workers=16)
    app = App(
        client=web_client(settings.bot_token(), settings.slack_api_url),
        signing_secret=settings.signing_secret() or "unused-in-socket-mode",
        token_verification_enabled=False,
        # HTTP requests are verified before Bolt sees them (web.verify_slack_request), so a
        # malformed timestamp gets 401 instead of Bolt's 500; Socket Mode needs no signature.
        request_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        listener_executor=executor,
    )
    app.use(dedupe_middleware(ctx.engine, ctx.clock))
    app.use(directory_middleware(ctx.engine, ctx.clock))
    app.error(_error_handler)
    # First, so that commands match among the first listeners (see register_commands).
    register_commands(app, ctx, [c["command"] for c in COMMANDS])
    for register in registrars:
        register(app, ctx)
    if unlisted := sorted(set(ctx.commands) - {c["command"] for c in COMMANDS}):
        raise RuntimeError(f"commands missing from opsbot.manifest.COMMANDS: {unlisted}")
    register_home(app, ctx)
    return app


def _error_handler(
    error: Exception, body: dict[str, Any], respond: Any, logger: logging.Logger
) -> None:
    """What is left for Bolt's error handler: events and App Home (buttons and modals go
    through ``opsbot.slack.listeners``, commands through their router)."""
    text = failure_text(error)
    if body.get("response_url") or (body.get("response_urls") or []):
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception:  # noqa: BLE001  the reply itself failed; the log above has the cause
            logger.warning("could not send the error reply")
