"""The `/incident` grammar: every subcommand, and every refusal saying what to type instead."""

from __future__ import annotations

import pytest

from opsbot.errors import OpsError
from opsbot.incidents.commands import (
    HELP,
    AddFix,
    AddNote,
    AssignRole,
    ChangeSeverity,
    Close,
    Contain,
    Declare,
    DeclareModal,
    ListIncidents,
    PostUpdate,
    RecordFinding,
    Resolve,
    RuleOut,
    ShowHelp,
    ShowStatus,
    ShowTimeline,
    UpdateModal,
    VerifyFix,
    parse,
)
from opsbot.incidents.model import Layer, Role, Severity
from opsbot.slack.grammar import MAX_TEXT
from opsbot.slack.mrkdwn import unescape


def refusal(text: str) -> OpsError:
    """Parse text that must be refused, and return the refusal."""
    with pytest.raises(OpsError) as caught:
        parse(text)
    assert caught.value.hint, "every refusal says what to type instead"
    return caught.value


def said(error: OpsError) -> str:
    """The refusal as the person reads it (entities decoded)."""
    return unescape(error.for_slack())


# ---- declare ---------------------------------------------------------------------------------


def test_declare_with_severity_and_title() -> None:
    """A first word sevN is the severity and the rest is the title."""
    assert parse("declare sev1 Refund agent over-approves") == Declare(
        "Refund agent over-approves", Severity.SEV1
    )


def test_declare_severity_is_case_insensitive() -> None:
    """`SEV2` is read as sev2."""
    assert parse("declare SEV2 Slow answers") == Declare("Slow answers", Severity.SEV2)


def test_declare_without_severity_keeps_the_whole_title() -> None:
    """With no severity word the whole text is the title and the severity is left to defaults."""
    assert parse("declare Several refunds approved") == Declare("Several refunds approved", None)


def test_declare_title_whitespace_is_collapsed() -> None:
    """The title is one line for the header block."""
    assert parse("declare sev3  Refunds\n  stuck ") == Declare("Refunds stuck", Severity.SEV3)


def test_declare_with_nothing_opens_the_modal() -> None:
    """`/incident declare` alone asks for the modal."""
    assert parse("declare") == DeclareModal()
    assert parse("  declare   ") == DeclareModal()


def test_declare_unknown_severity_is_never_a_title() -> None:
    """`declare sev9 Foo` is refused as an unknown severity, not declared as "sev9 Foo"."""
    error = refusal("declare sev9 Foo")
    assert error.message == "unknown severity sev9; use sev1 (worst) to sev4"
    assert "/incident declare [sev1|sev2|sev3|sev4] <title>" in said(error)


def test_declare_words_like_severity_are_title_words() -> None:
    """Only `sev<digits>` is a severity; `severe` or `sev2x` start the title."""
    assert parse("declare severe outage") == Declare("severe outage", None)
    assert parse("declare sev2x outage") == Declare("sev2x outage", None)


def test_declare_severity_without_title_is_refused() -> None:
    """A severity alone is not enough; the refusal shows the command with that severity."""
    error = refusal("declare sev1")
    assert error.message == "The incident needs a title."
    assert "`/incident declare sev1 <title>`" in said(error)


def test_declare_title_over_150_characters_is_refused_with_its_length() -> None:
    """The header block holds 150 characters; the refusal says how long the title is."""
    assert parse("declare " + "x" * 150) == Declare("x" * 150, None)
    error = refusal("declare sev2 " + "x" * 151)
    assert error.message == "The title is 151 characters; the limit is 150."


# ---- bare commands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("list", ListIncidents()),
        ("status", ShowStatus()),
        ("help", ShowHelp()),
        ("HELP", ShowHelp()),
        ("help declare", ShowHelp()),
        ("", ShowHelp()),
        ("   ", ShowHelp()),
        ("timeline", ShowTimeline()),
        ("resolve", Resolve()),
        ("close", Close()),
    ],
)
def test_commands_without_arguments(text: str, command: object) -> None:
    """Bare subcommands parse to their command; empty text means help."""
    assert parse(text) == command


@pytest.mark.parametrize("word", ["list", "status", "timeline", "resolve", "close"])
def test_bare_commands_refuse_extra_text(word: str) -> None:
    """Extra words after a bare command are refused rather than silently ignored."""
    error = refusal(f"{word} now please")
    assert said(error).startswith(f"`/incident {word}` takes nothing after it.")


# ---- severity and role -----------------------------------------------------------------------


def test_severity_with_and_without_reason() -> None:
    """`severity sevN [reason…]` keeps the reason text when given."""
    assert parse("severity sev1 now hitting all tenants") == ChangeSeverity(
        Severity.SEV1, "now hitting all tenants"
    )
    assert parse("severity Sev3") == ChangeSeverity(Severity.SEV3, None)


def test_severity_refusals() -> None:
    """A missing or unknown severity is refused with the usage."""
    assert "/incident severity <sevN> [reason]" in said(refusal("severity"))
    assert refusal("severity sev5").message == "unknown severity sev5; use sev1 (worst) to sev4"


@pytest.mark.parametrize("mention", ["<@U0123ABC|alice>", "<@U0123ABC>", "<@U0123ABC|Alice Smith>"])
def test_role_accepts_escaped_mentions(mention: str) -> None:
    """Slack-escaped mentions, with or without a label, give the user id."""
    assert parse(f"role lead {mention}") == AssignRole(Role.LEAD, "U0123ABC")


def test_role_names_are_case_insensitive() -> None:
    """`Comms` is the comms role."""
    assert parse("role Comms <@U0123ABC>") == AssignRole(Role.COMMS, "U0123ABC")
    assert parse("role scribe <@W0123ABC>") == AssignRole(Role.SCRIBE, "W0123ABC")


@pytest.mark.parametrize("who", ["@alice", "alice", "<!channel>", "<@U0123ABC> <@U0456DEF>"])
def test_role_refuses_anything_but_one_mention(who: str) -> None:
    """A bare @name or other text is refused, telling to pick the person from the @ menu."""
    error = refusal(f"role lead {who}")
    assert "is not a mention of one person" in error.message
    assert "`/incident role lead @name`" in said(error)
    assert "<!channel>" not in error.for_slack()


def test_role_refusals_for_missing_parts() -> None:
    """No role, an unknown role, or no person: each is refused with what to type."""
    assert "Which role" in refusal("role").message
    unknown = refusal("role boss <@U0123ABC>")
    assert unknown.message == "unknown role boss; use lead, comms or scribe"
    assert refusal("role lead").message == "Who should be lead?"


# ---- contain, update, note -------------------------------------------------------------------


def test_contain_keeps_the_text_with_line_breaks() -> None:
    """Containment text is kept as typed, inner line breaks included."""
    assert parse("contain rolled back prompt v12\nrefunds paused") == Contain(
        "rolled back prompt v12\nrefunds paused"
    )


def test_contain_without_text_is_refused() -> None:
    """Containment needs to say what stopped the harm."""
    error = refusal("contain")
    assert "`/incident contain <what was done to stop the harm>`" in said(error)


def test_update_with_text_posts_and_without_opens_the_modal() -> None:
    """`update <text>` posts that text; `update` alone opens the drafted modal."""
    assert parse("update We have paused refunds.") == PostUpdate("We have paused refunds.")
    assert parse("update") == UpdateModal()


def test_note() -> None:
    """A note keeps its text; an empty note is refused."""
    assert parse("note saw 3 more in the logs") == AddNote("saw 3 more in the logs")
    assert "`/incident note <text>`" in said(refusal("note"))


# ---- rca and rule-out ------------------------------------------------------------------------


def test_rca_and_rule_out_per_layer() -> None:
    """A layer word then the finding or reason."""
    assert parse("rca model prompt v12 lost the cap") == RecordFinding(
        Layer.MODEL, "prompt v12 lost the cap"
    )
    assert parse("rule-out DATA inputs unchanged") == RuleOut(Layer.DATA, "inputs unchanged")
    assert parse("rca workflow retry doubled") == RecordFinding(Layer.WORKFLOW, "retry doubled")


def test_rca_refusals() -> None:
    """Missing layer, unknown layer and missing finding are each refused with the usage."""
    assert "Which layer" in refusal("rca").message
    assert refusal("rca infra disk").message == "unknown layer infra; use model, data or workflow"
    error = refusal("rca data")
    assert error.message == "The finding is missing."
    assert "`/incident rca data <finding>`" in said(error)


def test_rule_out_without_reason_is_refused() -> None:
    """Ruling a layer out needs a reason."""
    error = refusal("rule-out model")
    assert error.message == "The reason is missing."
    assert "`/incident rule-out model <reason>`" in said(error)


# ---- fix and verify --------------------------------------------------------------------------


def test_fix_with_test_at_the_end() -> None:
    """The description is everything but `test=<id>`."""
    assert parse("fix add refund cap to prompt test=eval-refund-guard") == AddFix(
        "add refund cap to prompt", "eval-refund-guard"
    )


def test_fix_test_id_may_sit_anywhere_and_use_the_whole_charset() -> None:
    """`test=` may come first, and ids may use letters, digits and _ . : / -."""
    assert parse("fix test=suite/refunds:case_7.v2 cap refunds") == AddFix(
        "cap refunds", "suite/refunds:case_7.v2"
    )


def test_fix_without_test_is_refused_with_an_example() -> None:
    """A fix must name its verification test; the refusal shows a full example."""
    error = refusal("fix add refund cap")
    assert error.message == "A fix needs the eval test that verifies it."
    assert "test=eval-refund-guard`" in said(error)


@pytest.mark.parametrize("test_arg", ["test=", "test=a<b", "test=x&y", "test=é"])
def test_fix_refuses_a_bad_test_id(test_arg: str) -> None:
    """An empty id or one outside [A-Za-z0-9_.:/-] is refused, echoed inert."""
    error = refusal(f"fix cap {test_arg}")
    assert "is not a test id" in error.message
    assert "<" not in error.message


def test_fix_refusals_for_two_tests_or_no_description() -> None:
    """One test per fix, and a description is required."""
    assert "one `test=`" in refusal("fix cap test=a test=b").message
    error = refusal("fix test=eval-x")
    assert "`/incident fix <description> test=eval-x`" in said(error)


def test_verify_with_and_without_evidence() -> None:
    """`verify <n> [evidence]`; a leading # is tolerated."""
    assert parse("verify 2 eval run r-81 passed") == VerifyFix(2, "eval run r-81 passed")
    assert parse("verify #3") == VerifyFix(3, None)


@pytest.mark.parametrize("arg", ["two", "0", "-1", "1.5", "²"])
def test_verify_refuses_what_is_not_a_fix_number(arg: str) -> None:
    """Fix numbers are positive whole numbers."""
    error = refusal(f"verify {arg} ok")
    assert "is not a fix number" in error.message
    assert "`/incident verify <fix-number> [evidence]`" in said(error)


def test_verify_without_number_is_refused() -> None:
    """`verify` alone asks which fix."""
    assert refusal("verify").message.startswith("Which fix?")


# ---- unknown commands, length, injection -----------------------------------------------------


def test_unknown_subcommand_lists_the_commands() -> None:
    """An unknown word is refused with every command named."""
    error = refusal("escalate now")
    assert error.message == "There is no `/incident escalate` command."
    for word in ["declare", "list", "status", "help", "severity", "role", "contain", "update"]:
        assert word in (error.hint or "")
    for word in ["rca", "rule-out", "fix", "verify", "note", "timeline", "resolve", "close"]:
        assert word in (error.hint or "")


def test_subcommands_are_case_insensitive() -> None:
    """`Declare` works like `declare`."""
    assert parse("Declare sev2 X") == Declare("X", Severity.SEV2)


def test_text_over_3000_characters_is_refused_naming_the_limit() -> None:
    """Over-long command text is refused with its length and the limit."""
    assert parse("note " + "x" * (MAX_TEXT - 5)) == AddNote("x" * (MAX_TEXT - 5))
    error = refusal("note " + "x" * MAX_TEXT)
    assert error.message == f"That is {MAX_TEXT + 5} characters; `/incident` takes at most 3000."


def test_unknown_command_echo_is_escaped() -> None:
    """A typed `<!channel>` echoed in a refusal cannot ping anyone: it reads back as typed."""
    error = refusal("<!channel>")
    assert "<!channel>" not in error.for_slack()
    assert "`/incident @channel`" in error.message


def test_user_text_is_returned_raw_for_the_caller_to_escape_on_display() -> None:
    """Parsed text keeps what was typed; escaping happens where it is rendered."""
    assert parse("note <!here> & <https://evil|bank>") == AddNote("<!here> & <https://evil|bank>")


def test_help_lists_every_subcommand_in_escaped_mrkdwn() -> None:
    """HELP names every subcommand, one per line, with placeholders escaped."""
    text = unescape(HELP)
    for usage in [
        "/incident declare [sev1|sev2|sev3|sev4] <title>",
        "/incident list",
        "/incident status",
        "/incident help",
        "/incident severity <sevN>",
        "/incident role <lead|comms|scribe> <@user>",
        "/incident contain <what was done to stop the harm>",
        "/incident update [<customer-facing text>]",
        "/incident rca <model|data|workflow> <finding>",
        "/incident rule-out <model|data|workflow> <reason>",
        "/incident fix <description> test=<verification-test-id>",
        "/incident verify <fix-number> [evidence]",
        "/incident note <text>",
        "/incident timeline",
        "/incident resolve",
        "/incident close",
    ]:
        assert usage in text
    assert "<" not in HELP and ">" not in HELP
