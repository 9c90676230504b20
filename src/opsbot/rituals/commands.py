"""The `/ritual` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from opsbot.errors import OpsError
from opsbot.slack.mrkdwn import code, escape, user_id_from_mention

MAX_TEXT = 3000

_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
# An escaped mention may carry a label with spaces (`<@U1|Ann Lee>`), so it is one token.
_TOKEN = re.compile(r"<[^<>]*>|[^\s<>]+|[<>]")


@dataclass(frozen=True, slots=True)
class ListRituals:
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


@dataclass(frozen=True, slots=True)
class RunRitual:
    key: str


@dataclass(frozen=True, slots=True)
class SkipRitual:
    key: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SetOwners:
    key: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListDecisions:
    scope: Literal["open", "all"] = "open"


RitualCommand = ListRituals | ShowHelp | RunRitual | SkipRitual | SetOwners | ListDecisions

_USAGE = {
    "list": ("/ritual list", "the rituals, their schedules and owners"),
    "help": ("/ritual help", "this help"),
    "run": ("/ritual run <ritual-key>", "start an occurrence now"),
    "skip": ("/ritual skip <ritual-key> [reason]", "skip the next occurrence"),
    "owners": ("/ritual owners <ritual-key> <@user> [<@user>…]", "set who owns a ritual"),
    "decisions": ("/ritual decisions [open|all]", "decisions recorded (open ones by default)"),
}

HELP = "\n".join(
    ["*`/ritual` commands*"]
    + [f"• {code(usage)}: {escape(what)}" for usage, what in _USAGE.values()]
)


def parse(text: str) -> RitualCommand:
    """Read the text typed after `/ritual` into a command, or refuse with what to type."""
    if len(text) > MAX_TEXT:
        raise OpsError(
            f"That is {len(text)} characters; `/ritual` takes at most {MAX_TEXT}.",
            hint="Shorten it.",
        )
    word, rest = _split(text)
    name = word.lower()
    if not name:
        return ShowHelp()
    if name not in _PARSERS:
        raise OpsError(
            f"There is no {code('/ritual ' + word)} command.",
            hint="Commands: " + ", ".join(_USAGE) + ". Type " + code("/ritual help") + ".",
        )
    return _PARSERS[name](rest)


def _list(rest: str) -> ListRituals:
    _nothing_after("list", rest)
    return ListRituals()


def _run(rest: str) -> RunRitual:
    key, extra = _split(rest)
    if extra:
        raise OpsError(f"{code('/ritual run')} takes only the ritual key.", hint=_try("run"))
    return RunRitual(_key(key, "run"))


def _skip(rest: str) -> SkipRitual:
    key, reason = _split(rest)
    return SkipRitual(_key(key, "skip"), reason or None)


def _owners(rest: str) -> SetOwners:
    key, people = _split(rest)
    key = _key(key, "owners")
    tokens = _TOKEN.findall(people)
    if not tokens:
        raise OpsError(
            "Name at least one owner.", hint="Type " + code(f"/ritual owners {key} @name")
        )
    user_ids: list[str] = []
    for token in tokens:
        user_id = user_id_from_mention(token)
        if user_id is None:
            raise OpsError(
                f"{code(token)} is not a mention of one person.",
                hint="Type @ and pick each owner from the list so Slack links them: "
                + code(f"/ritual owners {key} @name @other"),
            )
        if user_id not in user_ids:
            user_ids.append(user_id)
    return SetOwners(key, tuple(user_ids))


def _decisions(rest: str) -> ListDecisions:
    scope = rest.lower()
    if scope in ("", "open"):
        return ListDecisions("open")
    if scope == "all":
        return ListDecisions("all")
    raise OpsError(
        f"{code(rest)} is not a choice: decisions are listed {code('open')} or {code('all')}.",
        hint=_try("decisions"),
    )


def _help(rest: str) -> ShowHelp:
    return ShowHelp()


_PARSERS: dict[str, Callable[[str], RitualCommand]] = {
    "list": _list,
    "help": _help,
    "run": _run,
    "skip": _skip,
    "owners": _owners,
    "decisions": _decisions,
}


def _key(word: str, command: str) -> str:
    if not word:
        raise OpsError(
            "Which ritual? Keys are listed by " + code("/ritual list") + ".", hint=_try(command)
        )
    key = word.lower()
    if not _KEY.fullmatch(key):
        raise OpsError(
            f"{code(word)} is not a ritual key; keys look like {code('daily-exception-triage')}.",
            hint="See them with " + code("/ritual list"),
        )
    return key


def _nothing_after(command: str, rest: str) -> None:
    if rest:
        raise OpsError(f"{code('/ritual ' + command)} takes nothing after it.", hint=_try(command))


def _try(command: str) -> str:
    return "Type " + code(_USAGE[command][0])


def _split(text: str) -> tuple[str, str]:
    """The first word and the rest (stripped; inner line breaks kept)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], (parts[1].strip() if len(parts) > 1 else "")
