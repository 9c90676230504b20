"""The `/ritual` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from opsbot.errors import OpsError
from opsbot.slack.grammar import Grammar, one_person, split, tokens
from opsbot.slack.mrkdwn import code

_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


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

GRAMMAR = Grammar("/ritual", _USAGE, title="*`/ritual` commands*")
HELP = GRAMMAR.help


def parse(text: str) -> RitualCommand:
    """Read the text typed after `/ritual` into a command, or refuse with what to type."""
    GRAMMAR.check_length(text)
    word, rest = split(text)
    name = word.lower()
    if not name:
        return ShowHelp()
    if name not in _PARSERS:
        raise GRAMMAR.unknown(word)
    return _PARSERS[name](rest)


def _list(rest: str) -> ListRituals:
    GRAMMAR.nothing_after("list", rest)
    return ListRituals()


def _run(rest: str) -> RunRitual:
    key, extra = split(rest)
    if extra:
        raise OpsError(
            f"{code('/ritual run')} takes only the ritual key.", hint=GRAMMAR.type_("run")
        )
    return RunRitual(_key(key, "run"))


def _skip(rest: str) -> SkipRitual:
    key, reason = split(rest)
    return SkipRitual(_key(key, "skip"), reason or None)


def _owners(rest: str) -> SetOwners:
    key, people = split(rest)
    key = _key(key, "owners")
    found = tokens(people)
    if not found:
        raise OpsError(
            "Name at least one owner.", hint="Type " + code(f"/ritual owners {key} @name")
        )
    user_ids: list[str] = []
    for token in found:
        user_id = one_person(token, example=f"/ritual owners {key} @name @other")
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
        hint=GRAMMAR.type_("decisions"),
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
            "Which ritual? Keys are listed by " + code("/ritual list") + ".",
            hint=GRAMMAR.type_(command),
        )
    key = word.lower()
    if not _KEY.fullmatch(key):
        raise OpsError(
            f"{code(word)} is not a ritual key; keys look like {code('daily-exception-triage')}.",
            hint="See them with " + code("/ritual list"),
        )
    return key
