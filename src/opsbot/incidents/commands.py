"""The `/incident` grammar: command text in, one typed command out, or a refusal saying why.

Refusals and `HELP` are mrkdwn that is already escaped (user text echoed in them included).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from opsbot.errors import OpsError
from opsbot.incidents.model import DEFAULT_SEVERITY, MAX_TITLE, Layer, Role, Severity
from opsbot.slack.grammar import Grammar, one_person, split
from opsbot.slack.mrkdwn import code, escape

Word = TypeVar("Word", Severity, Layer, Role)
_SEVERITY_WORD = re.compile(r"sev\d+", re.IGNORECASE)
_TEST_ID = re.compile(r"[A-Za-z0-9_.:/-]+")
_TEST_ARG = re.compile(r"(?:^|\s)test=(\S*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Declare:
    title: str
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class DeclareModal:
    """`/incident declare` with nothing after it: open the declare modal."""


@dataclass(frozen=True, slots=True)
class ListIncidents:
    pass


@dataclass(frozen=True, slots=True)
class ShowStatus:
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


@dataclass(frozen=True, slots=True)
class ChangeSeverity:
    severity: Severity
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AssignRole:
    role: Role
    user_id: str


@dataclass(frozen=True, slots=True)
class Contain:
    text: str


@dataclass(frozen=True, slots=True)
class PostUpdate:
    text: str


@dataclass(frozen=True, slots=True)
class UpdateModal:
    """`/incident update` with no text: open the modal with a drafted update."""


@dataclass(frozen=True, slots=True)
class RecordFinding:
    layer: Layer
    finding: str


@dataclass(frozen=True, slots=True)
class RuleOut:
    layer: Layer
    reason: str


@dataclass(frozen=True, slots=True)
class AddFix:
    description: str
    test_id: str


@dataclass(frozen=True, slots=True)
class VerifyFix:
    number: int
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class AddNote:
    text: str


@dataclass(frozen=True, slots=True)
class NameSurface:
    """`/incident surface <key>`: the AI surface (a configured surface's key) this is about."""

    key: str


@dataclass(frozen=True, slots=True)
class ShowTimeline:
    pass


@dataclass(frozen=True, slots=True)
class Resolve:
    pass


@dataclass(frozen=True, slots=True)
class Close:
    pass


IncidentCommand = (
    Declare
    | DeclareModal
    | ListIncidents
    | ShowStatus
    | ShowHelp
    | ChangeSeverity
    | AssignRole
    | Contain
    | PostUpdate
    | UpdateModal
    | RecordFinding
    | RuleOut
    | AddFix
    | VerifyFix
    | AddNote
    | NameSurface
    | ShowTimeline
    | Resolve
    | Close
)
_Parser = Callable[[str], IncidentCommand]

_USAGE = {
    "declare": (
        "/incident declare [sev1|sev2|sev3|sev4] <title>",
        "declare an incident; with nothing after it, opens a form",
    ),
    "list": ("/incident list", "open incidents"),
    "status": ("/incident status", "this incident's state and what it needs next"),
    "help": ("/incident help", "this help"),
    "severity": ("/incident severity <sevN> [reason]", "change the severity"),
    "role": ("/incident role <lead|comms|scribe> <@user>", "give someone a role"),
    "contain": ("/incident contain <what was done to stop the harm>", "record containment"),
    "update": (
        "/incident update [<customer-facing text>]",
        "post a customer update; with no text, opens a drafted one",
    ),
    "rca": ("/incident rca <model|data|workflow> <finding>", "record a root-cause finding"),
    "rule-out": ("/incident rule-out <model|data|workflow> <reason>", "rule a layer out"),
    "fix": (
        "/incident fix <description> test=<verification-test-id>",
        "record a fix and the eval test that verifies it",
    ),
    "verify": ("/incident verify <fix-number> [evidence]", "mark a fix verified"),
    "note": ("/incident note <text>", "add a timeline entry"),
    "surface": (
        "/incident surface <surface-key>",
        "name the AI surface this incident is about (its releases' gates then run its tests)",
    ),
    "timeline": ("/incident timeline", "show the timeline"),
    "resolve": ("/incident resolve", "resolve; lists what is missing if it cannot"),
    "close": ("/incident close", "close and publish the postmortem"),
}

GRAMMAR = Grammar(
    "/incident",
    _USAGE,
    title="*`/incident` commands* (inside an incident channel they act on its incident)",
    shorten="Shorten it, or split it over several " + code("/incident note <text>") + " entries.",
    help_hint=" for what each does",
)
HELP = GRAMMAR.help


def parse(text: str) -> IncidentCommand:
    """Read the text typed after `/incident` into a command, or refuse with what to type."""
    GRAMMAR.check_length(text)
    word, rest = split(text)
    name = word.lower()
    if not name:
        return ShowHelp()
    if name not in _PARSERS:
        raise GRAMMAR.unknown(word)
    return _PARSERS[name](rest)


def parse_severity(text: str, *, hint: str | None = None) -> Severity:
    """`sev2`, `SEV2` or ` Sev2 ` → Severity.SEV2; anything else is refused."""
    return _word(Severity, text, "severity", "sev1 (worst) to sev4", hint)


def parse_layer(text: str, *, hint: str | None = None) -> Layer:
    """`data` or `Data` → Layer.DATA; anything else is refused."""
    return _word(Layer, text, "layer", "model, data or workflow", hint)


def parse_role(text: str, *, hint: str | None = None) -> Role:
    """`lead`, `comms` or `scribe` (any case); anything else is refused."""
    return _word(Role, text, "role", "lead, comms or scribe", hint)


def _word(kind: type[Word], text: str, what: str, choices: str, hint: str | None) -> Word:
    word = text.strip().lower()
    try:
        return kind(word)
    except ValueError:
        raise OpsError(f"unknown {what} {escape(word)}; use {choices}", hint=hint) from None


def _declare(rest: str) -> Declare | DeclareModal:
    if not rest:
        return DeclareModal()
    first, title = split(rest)
    severity = None
    if _SEVERITY_WORD.fullmatch(first):
        severity = parse_severity(first, hint=GRAMMAR.type_("declare"))
    else:
        title = rest
    title = " ".join(title.split())
    if not title:
        raise OpsError(
            "The incident needs a title.",
            hint="Type " + code(f"/incident declare {severity or DEFAULT_SEVERITY} <title>"),
        )
    if len(title) > MAX_TITLE:
        raise OpsError(
            f"The title is {len(title)} characters; the limit is {MAX_TITLE}.",
            hint="Shorten it and put the detail in "
            + code("/incident note <text>")
            + " once declared.",
        )
    return Declare(title=title, severity=severity)


def _severity(rest: str) -> ChangeSeverity:
    word, reason = split(rest)
    if not word:
        raise OpsError("Which severity?", hint=GRAMMAR.type_("severity"))
    return ChangeSeverity(parse_severity(word, hint=GRAMMAR.type_("severity")), reason or None)


def _role(rest: str) -> AssignRole:
    word, who = split(rest)
    if not word:
        raise OpsError("Which role, and for whom?", hint=GRAMMAR.type_("role"))
    role = parse_role(word, hint=GRAMMAR.type_("role"))
    if not who:
        raise OpsError(f"Who should be {role}?", hint="Type " + code(f"/incident role {role} @"))
    return AssignRole(role, one_person(who, example=f"/incident role {role} @name"))


def _contain(rest: str) -> Contain:
    return Contain(GRAMMAR.required(rest, "What stopped the harm?", "contain"))


def _update(rest: str) -> PostUpdate | UpdateModal:
    return PostUpdate(rest) if rest else UpdateModal()


def _layer_and_text(rest: str, command: str, what: str) -> tuple[Layer, str]:
    word, text = split(rest)
    if not word:
        raise OpsError("Which layer: model, data or workflow?", hint=GRAMMAR.type_(command))
    layer = parse_layer(word, hint=GRAMMAR.type_(command))
    if not text:
        raise OpsError(
            f"The {what} is missing.", hint="Type " + code(f"/incident {command} {layer} <{what}>")
        )
    return layer, text


def _rca(rest: str) -> RecordFinding:
    return RecordFinding(*_layer_and_text(rest, "rca", "finding"))


def _rule_out(rest: str) -> RuleOut:
    return RuleOut(*_layer_and_text(rest, "rule-out", "reason"))


def _fix(rest: str) -> AddFix:
    found = list(_TEST_ARG.finditer(rest))
    if not found:
        raise OpsError(
            "A fix needs the eval test that verifies it.",
            hint="Type, for example, "
            + code("/incident fix add refund cap to the prompt test=eval-refund-guard"),
        )
    if len(found) > 1:
        raise OpsError("Give one `test=` per fix.", hint=GRAMMAR.type_("fix"))
    test_id = found[0].group(1)
    if not _TEST_ID.fullmatch(test_id):
        raise OpsError(
            f"{code('test=' + test_id)} is not a test id: use letters, digits and _ . : / -",
            hint="For example " + code("test=eval-refund-guard"),
        )
    description = " ".join((rest[: found[0].start()] + " " + rest[found[0].end() :]).split())
    if not description:
        raise OpsError(
            "Say what the fix is.",
            hint="Type " + code(f"/incident fix <description> test={test_id}"),
        )
    return AddFix(description, test_id)


def _verify(rest: str) -> VerifyFix:
    word, evidence = split(rest)
    digits = word.removeprefix("#")
    if not digits.isascii() or not digits.isdigit() or int(digits) < 1:
        problem = f"{code(word)} is not a fix number." if word else "Which fix?"
        raise OpsError(
            problem + " Fixes are numbered 1, 2, … (see " + code("/incident status") + ").",
            hint=GRAMMAR.type_("verify"),
        )
    return VerifyFix(int(digits), evidence or None)


def _note(rest: str) -> AddNote:
    return AddNote(GRAMMAR.required(rest, "The note is empty.", "note"))


def _surface(rest: str) -> NameSurface:
    key, extra = split(rest)
    if not key:
        raise OpsError(
            "Which surface?", hint=GRAMMAR.type_("surface") + " (`/release status` lists them)"
        )
    if extra:
        raise OpsError(
            f"{code('/incident surface')} takes one surface key, not {code(rest)}.",
            hint=GRAMMAR.type_("surface"),
        )
    return NameSurface(key)


def _no_arguments(command: str, result: IncidentCommand) -> _Parser:
    def parse_bare(rest: str) -> IncidentCommand:
        if command != "help":
            GRAMMAR.nothing_after(command, rest)
        return result

    return parse_bare


_PARSERS: dict[str, _Parser] = {
    "declare": _declare,
    "list": _no_arguments("list", ListIncidents()),
    "status": _no_arguments("status", ShowStatus()),
    "help": _no_arguments("help", ShowHelp()),
    "severity": _severity,
    "role": _role,
    "contain": _contain,
    "update": _update,
    "rca": _rca,
    "rule-out": _rule_out,
    "fix": _fix,
    "verify": _verify,
    "note": _note,
    "surface": _surface,
    "timeline": _no_arguments("timeline", ShowTimeline()),
    "resolve": _no_arguments("resolve", Resolve()),
    "close": _no_arguments("close", Close()),
}
