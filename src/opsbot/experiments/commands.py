"""`/ops experiment …` parsed into typed requests, unit-testable without Bolt; every refusal
says what to type instead."""

from __future__ import annotations

from dataclasses import dataclass

from opsbot.errors import OpsError
from opsbot.experiments.deciding import CALLS, Call
from opsbot.slack.grammar import Grammar
from opsbot.slack.mrkdwn import code, escape


@dataclass(frozen=True)
class New:
    """Open the registration form."""


@dataclass(frozen=True)
class Listing:
    """List every experiment."""


@dataclass(frozen=True)
class Show:
    key: str


@dataclass(frozen=True)
class Decide:
    key: str
    call: Call
    reason: str


@dataclass(frozen=True)
class Help:
    """Show how the command is written."""


Request = New | Listing | Show | Decide | Help
_USAGE = {
    "new": ("/ops experiment new", "register one (a form)"),
    "list": ("/ops experiment list", "every experiment and its state"),
    "show": ("/ops experiment show <key>", "its card, numbers and history"),
    "decide": (
        "/ops experiment decide <key> ship|rollback|iterate <reason>",
        "record the call as a decision of the weekly review",
    ),
}
GRAMMAR = Grammar("/ops experiment", _USAGE, title="*`/ops experiment` commands*")
DECIDE_USAGE = code(_USAGE["decide"][0])


def parse(text: str) -> Request:
    """The words after `/ops experiment`."""
    GRAMMAR.check_length(text)
    words = text.split()
    if not words or words[0].lower() == "help":
        return Help()
    word, rest = words[0].lower(), words[1:]
    if word == "new":
        GRAMMAR.nothing_after("new", " ".join(rest))
        return New()
    if word == "list":
        return Listing()
    if word == "show":
        if len(rest) != 1:
            raise OpsError(
                "Name one experiment: " + code("/ops experiment show <key>") + ".",
                hint="`/ops experiment list` shows their keys.",
            )
        return Show(rest[0])
    if word == "decide":
        if len(rest) < 2:
            raise OpsError("Say which experiment and the call.", hint=f"Type {DECIDE_USAGE}.")
        key, call_word = rest[0], rest[1].lower()
        try:
            call = Call(call_word)
        except ValueError:
            raise OpsError(
                f"“{escape(rest[1][:30])}” is not a call I know: it is one of {CALLS}.",
                hint=f"Type {DECIDE_USAGE}.",
            ) from None
        reason = text.split(None, 3)[3].strip() if len(rest) > 2 else ""
        if not reason:
            raise OpsError(
                "Say why: the reason is kept with the decision.",
                hint="Type " + code(f"/ops experiment decide {key} {call.value} <reason>") + ".",
            )
        return Decide(key, call, reason)
    raise GRAMMAR.unknown(words[0])
