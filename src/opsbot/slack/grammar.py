"""What every slash-command grammar shares: words, mentions, lengths, help and refusals.

A command module (``incidents/commands.py``, ``rituals/commands.py``, ``team/commands.py``)
describes its subcommands once in a ``Grammar`` and parses into typed dataclasses with these
helpers. Every refusal is mrkdwn with user text escaped (``code`` escapes), and says what to
type instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from opsbot.errors import OpsError
from opsbot.slack.mrkdwn import code, escape, user_id_from_mention

MAX_TEXT = 3000  # a section block's text limit: longer text could not be shown whole
# An escaped mention may carry a label with spaces (`<@U1|Ann Lee>`), so it is one token.
_TOKEN = re.compile(r"<[^<>]*>|[^\s<>]+|[<>]")
# Slack's escapes in command text: `<@U1|alice>`, `<#C1|general>`, `<!here>`, `<https://…|x>`.
_ESCAPED = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def split(text: str) -> tuple[str, str]:
    """The first word and the rest (stripped; inner line breaks kept)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], (parts[1].strip() if len(parts) > 1 else "")


def tokens(text: str) -> list[str]:
    """The words of ``text``, a mention (`<@U1|Ann Lee>`) counting as one."""
    return _TOKEN.findall(text)


def readable(text: str) -> str:
    """Command text as the person typed it: Slack's escapes (`<@U1|alice>`, `<#C1|ops>`,
    `<!here>`, `<https://x|x>`) read back as `@alice`, `#ops`, `@here`, `https://x`, so a
    refusal that echoes the text never shows the escape syntax."""

    def shown(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return "@" + (label or target)
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":
            return label if label and label.startswith("@") else "@" + (label or target)
        return label or target

    return _ESCAPED.sub(shown, text)


def one_person(who: str, *, example: str) -> str:
    """The user id of a single mention, or a refusal saying how to write one."""
    user_id = user_id_from_mention(who)
    if user_id is None:
        raise OpsError(
            f"{code(readable(who))} is not a mention of one person.",
            hint="Type @ and pick them from the list so Slack links them: " + code(example),
        )
    return user_id


def people(text: str, *, example: str) -> tuple[str, ...]:
    """The user ids of one or more mentions (each once, in order), or a refusal naming the
    first word that is not a mention."""
    found: list[str] = []
    for token in tokens(text):
        user_id = user_id_from_mention(token)
        if user_id is None:
            raise OpsError(
                f"{code(readable(token))} is not a mention of a person.",
                hint="Type @ and pick each person from the list so Slack links them: "
                + code(example),
            )
        if user_id not in found:
            found.append(user_id)
    if not found:
        raise OpsError("Name at least one person.", hint="Type " + code(example))
    return tuple(found)


@dataclass(frozen=True)
class Grammar:
    """One slash command's subcommands, their usage and what each does, and its refusals."""

    command: str  # "/incident"
    usage: Mapping[str, tuple[str, str]]  # subcommand -> (usage line, what it does)
    title: str  # the first line of the help, mrkdwn
    shorten: str = "Shorten it."  # the hint when the text is too long
    help_hint: str = ""  # after "Type `/x help`" in the unknown-subcommand hint

    @property
    def help(self) -> str:
        """The help: the title, then one line per subcommand."""
        return "\n".join(
            [self.title]
            + [f"• {code(usage)}: {escape(what)}" for usage, what in self.usage.values()]
        )

    def check_length(self, text: str) -> None:
        """Refuse text longer than a message could show whole."""
        if len(text) > MAX_TEXT:
            raise OpsError(
                f"That is {len(text)} characters; `{self.command}` takes at most {MAX_TEXT}.",
                hint=self.shorten,
            )

    def unknown(self, word: str) -> OpsError:
        """The refusal of a subcommand nobody defined, echoing it escaped."""
        return OpsError(
            f"There is no {code(self.command + ' ' + readable(word))} command.",
            hint="Commands: "
            + ", ".join(self.usage)
            + ". Type "
            + code(f"{self.command} help")
            + f"{self.help_hint}.",
        )

    def type_(self, subcommand: str) -> str:
        """``Type `<usage>```: the hint that shows how a subcommand is written."""
        return "Type " + code(self.usage[subcommand][0])

    def nothing_after(self, subcommand: str, rest: str) -> None:
        """Refuse words after a subcommand that takes none."""
        if rest:
            raise OpsError(
                f"{code(self.command + ' ' + subcommand)} takes nothing after it.",
                hint=self.type_(subcommand),
            )

    def required(self, rest: str, problem: str, subcommand: str) -> str:
        """``rest``, or a refusal saying ``problem`` and how the subcommand is written."""
        if not rest:
            raise OpsError(problem, hint=self.type_(subcommand))
        return rest
