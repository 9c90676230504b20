"""Slash commands: routed by their first word to the feature owning it, answered in the ack."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from opsbot.errors import OpsError
from opsbot.slack.ack_deadline import AckDeadlines
from opsbot.slack.mrkdwn import code

if TYPE_CHECKING:
    from opsbot.context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandRequest:
    """A typed slash command as the feature handlers see it."""

    command: str
    text: str  # everything after the command, stripped
    rest: str  # the text after the subcommand word
    user_id: str
    channel_id: str
    channel_name: str
    trigger_id: str
    response_url: str
    client: WebClient

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass
class Reply:
    """What the typist sees: ephemeral unless ``public``."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    public: bool = False


Handler = Callable[["Context", CommandRequest], Reply | None]


@dataclass
class CommandRouter:
    """One slash command: subcommand word -> handler, with help built in."""

    command: str
    description: str
    usage_hint: str
    help_text: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    fallback: Handler | None = None

    def add(self, word: str, handler: Handler) -> None:
        self.handlers[word] = handler

    def builtin_reply(self, text: str) -> Reply | None:
        """The reply no handler is needed for (the built-in help), or None."""
        words = text.split()
        if (words[0].lower() if words else "help") == "help" and "help" not in self.handlers:
            return Reply(self.help_text)
        return None

    def dispatch(self, ctx: Context, req: CommandRequest) -> Reply | None:
        if (builtin := self.builtin_reply(req.text)) is not None:
            return builtin
        word = req.words[0].lower()
        handler = self.handlers.get(word) or self.fallback
        if handler is None:
            raise OpsError(
                f"{code(self.command + ' ' + word)} is not a command I know.",
                hint=f"Type {code(self.command + ' help')} to see what I can do.",
            )
        return handler(ctx, req)


def request_from(body: dict[str, Any], client: WebClient) -> CommandRequest:
    text = (body.get("text") or "").strip()
    parts = text.split(maxsplit=1)
    return CommandRequest(
        command=body.get("command", ""),
        text=text,
        rest=parts[1] if len(parts) > 1 else "",
        user_id=body.get("user_id", ""),
        channel_id=body.get("channel_id", ""),
        channel_name=body.get("channel_name", ""),
        trigger_id=body.get("trigger_id", ""),
        response_url=body.get("response_url", ""),
        client=client,
    )


ACK_BUDGET_SECONDS = 1.5  # Slack waits 3 s for the ack; Bolt gives up on it after 3 s


def register_commands(app: Any, ctx: Context, names: Iterable[str]) -> None:
    """A listener for each command in ``names``: its router runs at once, and its answer goes
    back in the ack itself when ready within ACK_BUDGET_SECONDS (else the ack goes first,
    empty, and the answer follows through the response_url).

    Call it before the features register their actions and views: Bolt tries each listener's
    matchers in turn, so a command then matches among the first listeners, not the last.
    Routers are looked up when a command arrives, so features may add them afterwards.
    An answer in the ack costs no second request (most commands read or write the database for
    a few ms), and a change acknowledged that way was committed before anyone saw the ack.
    """
    deadlines = AckDeadlines(ACK_BUDGET_SECONDS)

    def known(body: dict[str, Any]) -> bool:
        return body.get("command") in ctx.commands

    def answer_then_ack(
        ack: Callable[..., None],
        body: dict[str, Any],
        client: WebClient,
        respond: Callable[..., Any],
    ) -> None:
        router = ctx.commands[body["command"]]
        builtin = router.builtin_reply(body.get("text") or "")
        if builtin is not None:
            ack(text=builtin.text, response_type="ephemeral")
            return
        pending = deadlines.watch(ack)
        reply = _answer(ctx, router, body, client)
        if reply is None or reply.public:  # shown in the channel: through the response_url
            pending.answer()
            _send(reply, respond)
        elif not pending.answer(text=reply.text, blocks=reply.blocks, response_type="ephemeral"):
            _send(reply, respond)  # the deadline acked first

    for name in names:
        app.command(name, matchers=[known])(answer_then_ack)


def _answer(
    ctx: Context, router: CommandRouter, body: dict[str, Any], client: WebClient
) -> Reply | None:
    """What the typist is told: the handler's reply, its refusal, or an apology (logged)."""
    try:
        return router.dispatch(ctx, request_from(body, client))
    except OpsError as exc:
        return Reply(exc.for_slack())
    except Exception:
        log.exception("%s failed", router.command)
        return Reply(INTERNAL_ERROR)


def _send(reply: Reply | None, respond: Callable[..., Any]) -> None:
    """A reply through the response_url (a public one, or one that missed the ack)."""
    if reply is None:
        return
    try:
        respond(
            text=reply.text,
            blocks=reply.blocks,
            response_type="in_channel" if reply.public else "ephemeral",
        )
    except OSError:  # the reply could not be sent; what the command did stands
        log.warning("could not reply through the response_url", exc_info=True)


INTERNAL_ERROR = (
    "Something went wrong on my side. Check whether your change shows up; "
    "if not, try again, and if it keeps failing tell the opsbot maintainers."
)
