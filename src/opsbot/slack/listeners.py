"""Buttons and modal submissions for every feature: no exception ever reaches Bolt after an ack.

Bolt 1.30 runs a listener on its executor while the request thread polls ``ack.response`` every
10 ms (``slack_bolt/listener/thread_runner.py``, ``process_before_response=False``). When an
action or view listener raises, the runner sets ``ack.response`` back to None even though the
listener acked; if that happens before the request thread saw the ack, it waits out the 3 s ack
timeout and the request is answered 404 (Slack shows the person an error), and the error
handler's reply races with it. So features register their listeners here instead:

- ``on_action``: ack at once, then the handler; a refusal (``OpsError``) goes back to the
  clicker alone, anything else is logged and the clicker is told something went wrong.
- ``on_view``: the submission is checked and done before the ack (inside Slack's 3 s), so a
  refusal goes back in the ack itself (``response_action="errors"``) on the modal's field:
  ``FieldErrors`` name their fields (``check_field`` turns one check's refusal into them), any
  other refusal goes on the field the registration names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from opsbot.errors import FieldErrors, OpsError
from opsbot.slack.commands import INTERNAL_ERROR
from opsbot.slack.mrkdwn import unescape

log = logging.getLogger(__name__)

Respond = Callable[..., Any]
Click = Callable[[dict[str, Any], WebClient, Respond], None]  # body, client, respond
Submit = Callable[[dict[str, Any], dict[str, Any]], None]  # body, view
MAX_FIELD_ERROR = 2000
T = TypeVar("T")


def failure_text(error: BaseException) -> str:
    """What the person is told: a refusal as written, anything else logged and apologized for."""
    if isinstance(error, OpsError):
        return error.for_slack()
    log.error("listener failed: %s", type(error).__name__, exc_info=error)
    return INTERNAL_ERROR


def on_action(app: Any, action_id: str | re.Pattern[str], handle: Click) -> None:
    """Register ``handle`` for a button (or select): acked first, its failures told to the
    clicker ephemerally, never raised to Bolt."""

    def listener(
        ack: Callable[..., None], body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        try:
            handle(body, client, respond)
        except Exception as error:  # noqa: BLE001  the one catch for every feature's buttons
            tell_clicker(body, client, respond, failure_text(error))

    app.action(action_id)(listener)


def on_view(app: Any, callback_id: str | re.Pattern[str], submit: Submit, *, field: str) -> None:
    """Register ``submit`` for a modal: it runs before the ack; ``FieldErrors`` (on the fields
    they name) and other refusals (on ``field``) keep the modal open with the message."""

    def listener(ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            submit(body, view)
        except FieldErrors as refused:
            ack(response_action="errors", errors=refused.errors)
        except Exception as error:  # noqa: BLE001  the one catch for every feature's modals
            shown = error if isinstance(error, OpsError) else OpsError(failure_text(error))
            ack(response_action="errors", errors={field: field_error(shown)})
        else:
            ack()

    app.view(callback_id)(listener)


def check_field(block_id: str, check: Callable[..., T], *args: Any) -> T:
    """``check(*args)``, whose refusal is shown on the modal's ``block_id`` field."""
    try:
        return check(*args)
    except FieldErrors:
        raise
    except OpsError as refused:
        raise FieldErrors({block_id: field_error(refused)}) from None


def field_error(refused: OpsError) -> str:
    """A refusal as a modal field's error: plain text, so no mrkdwn code marks or entities."""
    return unescape(refused.for_slack().replace("`", ""))[:MAX_FIELD_ERROR]


def tell_clicker(body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
    """An ephemeral reply to whoever clicked: through the message's response_url, else in the
    channel; a click in App Home or a modal has neither, so it is only logged."""
    user = (body.get("user") or {}).get("id")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    try:
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif channel and user:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            log.warning("no surface to tell %s: %s", user, text)
    except (SlackApiError, OSError) as error:  # the reply failed; the ack stands regardless
        log.warning("could not tell %s: %s", user, error)
