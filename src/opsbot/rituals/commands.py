"""The `/ritual` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from opsbot.errors import OpsError
from opsbot.slack.grammar import Grammar, readable, split, tokens
from opsbot.slack.mrkdwn import code, user_id_from_mention

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
class UnskipRitual:
    key: str


@dataclass(frozen=True, slots=True)
class SetOwners:
    key: str
    owners: tuple[str, ...]  # user ids and "role:<role>", as the configuration writes owners


@dataclass(frozen=True, slots=True)
class ListDecisions:
    scope: Literal["open", "all"] = "open"


@dataclass(frozen=True, slots=True)
class CloseDecision:
    number: int


@dataclass(frozen=True, slots=True)
class ReopenDecision:
    number: int


RitualCommand = (
    ListRituals
    | ShowHelp
    | RunRitual
    | SkipRitual
    | UnskipRitual
    | SetOwners
    | ListDecisions
    | CloseDecision
    | ReopenDecision
)

_USAGE = {
    "list": ("/ritual list", "the rituals, their schedules and owners"),
    "help": ("/ritual help", "this help"),
    "run": ("/ritual run <ritual-key>", "start an occurrence now"),
    "skip": (
        "/ritual skip <ritual-key> [reason]",
        "skip the occurrence open now, or else the next one (again: the one after)",
    ),
    "unskip": ("/ritual unskip <ritual-key>", "bring back the occurrence skipped soonest"),
    "owners": (
        "/ritual owners <ritual-key> <@user|role:<role>> […]",
        "set who owns a ritual: people, or a team role such as role:eval-engineer",
    ),
    "decisions": ("/ritual decisions [open|all]", "decisions recorded (open ones by default)"),
    "done": ("/ritual done <number>", "mark a decision done (its owner, the ritual's owners)"),
    "reopen": ("/ritual reopen <number>", "open a done decision again"),
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


def _unskip(rest: str) -> UnskipRitual:
    key, extra = split(rest)
    if extra:
        raise OpsError(
            f"{code('/ritual unskip')} takes only the ritual key.", hint=GRAMMAR.type_("unskip")
        )
    return UnskipRitual(_key(key, "unskip"))


def _owners(rest: str) -> SetOwners:
    key, people = split(rest)
    key = _key(key, "owners")
    found = tokens(people)
    if not found:
        raise OpsError(
            "Name at least one owner.",
            hint="Type "
            + code(f"/ritual owners {key} @name")
            + " or "
            + code(f"/ritual owners {key} role:eval-engineer"),
        )
    owners: list[str] = []
    for token in found:
        if token.lower().startswith("role:"):
            role = token[5:].lower().replace("_", "-")
            if not _KEY.fullmatch(role):
                raise OpsError(
                    f"{code(readable(token))} is not a team role; write it like "
                    f"{code('role:eval-engineer')}.",
                    hint="`/ops team` lists the roles.",
                )
            owner = f"role:{role}"
        else:
            user_id = user_id_from_mention(token)
            if user_id is None:
                raise OpsError(
                    f"{code(readable(token))} is neither a mention of a person nor a team role.",
                    hint="Type @ and pick each person from the list, or name a role: "
                    + code(f"/ritual owners {key} @name role:eval-engineer"),
                )
            owner = user_id
        if owner not in owners:
            owners.append(owner)
    return SetOwners(key, tuple(owners))


def _number(rest: str, command: str) -> int:
    word, extra = split(rest)
    number = word.removeprefix("#")
    if not number.isdigit() or extra or int(number) < 1:
        shown = code(readable(rest)) if rest else "nothing"
        raise OpsError(
            f"{code('/ritual ' + command)} takes a decision number, not {shown}.",
            hint=GRAMMAR.type_(command)
            + "; "
            + code("/ritual decisions all")
            + " lists them with their numbers.",
        )
    return int(number)


def _done(rest: str) -> CloseDecision:
    return CloseDecision(_number(rest, "done"))


def _reopen(rest: str) -> ReopenDecision:
    return ReopenDecision(_number(rest, "reopen"))


def _decisions(rest: str) -> ListDecisions:
    scope = rest.lower()
    if scope in ("", "open"):
        return ListDecisions("open")
    if scope == "all":
        return ListDecisions("all")
    raise OpsError(
        f"{code(readable(rest))} is not a choice: decisions are listed {code('open')} or "
        f"{code('all')}.",
        hint=GRAMMAR.type_("decisions"),
    )


def _help(rest: str) -> ShowHelp:
    return ShowHelp()


_PARSERS: dict[str, Callable[[str], RitualCommand]] = {
    "list": _list,
    "help": _help,
    "run": _run,
    "skip": _skip,
    "unskip": _unskip,
    "owners": _owners,
    "decisions": _decisions,
    "done": _done,
    "reopen": _reopen,
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
            f"{code(readable(word))} is not a ritual key; keys look like "
            f"{code('daily-exception-triage')}.",
            hint="See them with " + code("/ritual list"),
        )
    return key
