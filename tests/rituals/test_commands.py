"""The `/ritual` grammar (and, until tests/team exists, the `/ops` grammar) with its refusals."""

from __future__ import annotations

import pytest

from opsbot.errors import OpsError
from opsbot.rituals import commands as ritual
from opsbot.slack.mrkdwn import unescape
from opsbot.team import commands as ops


def refusal(parse: object, text: str) -> OpsError:
    """Parse text that must be refused, and return the refusal."""
    assert callable(parse)
    with pytest.raises(OpsError) as caught:
        parse(text)
    assert caught.value.hint, "every refusal says what to type instead"
    assert "<" not in caught.value.for_slack().replace("<@", ""), "refusals are escaped mrkdwn"
    return caught.value


def said(error: OpsError) -> str:
    """The refusal as the person reads it (entities decoded)."""
    return unescape(error.for_slack())


# ---- /ritual ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("list", ritual.ListRituals()),
        ("help", ritual.ShowHelp()),
        ("", ritual.ShowHelp()),
        ("help run", ritual.ShowHelp()),
        ("run daily-exception-triage", ritual.RunRitual("daily-exception-triage")),
        ("RUN Weekly-Model-Workflow-Review", ritual.RunRitual("weekly-model-workflow-review")),
        ("skip monthly-operating-retro", ritual.SkipRitual("monthly-operating-retro", None)),
        (
            "skip biweekly-eval-calibration team offsite\nback next week",
            ritual.SkipRitual("biweekly-eval-calibration", "team offsite\nback next week"),
        ),
        ("decisions", ritual.ListDecisions("open")),
        ("decisions open", ritual.ListDecisions("open")),
        ("decisions ALL", ritual.ListDecisions("all")),
        ("unskip monthly-operating-retro", ritual.UnskipRitual("monthly-operating-retro")),
        ("done 12", ritual.CloseDecision(12)),
        ("done #3", ritual.CloseDecision(3)),
        ("reopen 7", ritual.ReopenDecision(7)),
    ],
)
def test_ritual_commands(text: str, command: object) -> None:
    """Each `/ritual` subcommand parses to its typed command; keys are lowercased."""
    assert ritual.parse(text) == command


def test_ritual_owners_takes_one_or_more_mentions_in_order_without_duplicates() -> None:
    """Owners are Slack-escaped mentions, kept in the order typed, each once."""
    assert ritual.parse(
        "owners daily-exception-triage <@U01ALICE01|alice> <@U02BOB0001> <@U01ALICE01>"
    ) == ritual.SetOwners("daily-exception-triage", ("U01ALICE01", "U02BOB0001"))


def test_ritual_owners_accepts_labels_with_spaces() -> None:
    """A mention whose label has a space is still one owner."""
    assert ritual.parse("owners r1 <@U01ALICE01|Alice Smith>") == ritual.SetOwners(
        "r1", ("U01ALICE01",)
    )


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("@alice", "@alice"),
        ("alice", "alice"),
        ("<!channel>", "@channel"),
        ("<@U01ALICE01> bob", "bob"),
    ],
)
def test_ritual_owners_refuses_anything_but_mentions_and_roles(who: str, shown: str) -> None:
    """Each owner must be an @-mention picked from Slack's menu or `role:<role>`; the refusal
    names the word as typed."""
    error = refusal(ritual.parse, f"owners daily-exception-triage {who}")
    assert error.message == f"`{shown}` is neither a mention of a person nor a team role."
    assert "`/ritual owners daily-exception-triage @name role:eval-engineer`" in said(error)


def test_ritual_owners_takes_team_roles_beside_people() -> None:
    """`role:<role>` names a team role as an owner (normalised), beside people."""
    assert ritual.parse(
        "owners biweekly-eval-calibration role:Eval_Engineer <@U02BOB0001|bob>"
    ) == ritual.SetOwners("biweekly-eval-calibration", ("role:eval-engineer", "U02BOB0001"))


@pytest.mark.parametrize(
    ("text", "shown"), [("done", "nothing"), ("done three", "`three`"), ("reopen 0", "`0`")]
)
def test_done_and_reopen_take_a_decision_number(text: str, shown: str) -> None:
    """`done` and `reopen` take one decision number; anything else is refused, pointing at
    the list that shows the numbers."""
    error = refusal(ritual.parse, text)
    assert error.message.endswith(f"takes a decision number, not {shown}.")
    assert "`/ritual decisions all`" in said(error)


def test_ritual_owners_needs_at_least_one_owner() -> None:
    """`owners <key>` alone is refused."""
    error = refusal(ritual.parse, "owners daily-exception-triage")
    assert error.message == "Name at least one owner."


@pytest.mark.parametrize("text", ["run", "skip", "owners"])
def test_ritual_commands_need_a_key(text: str) -> None:
    """run, skip and owners refuse without a ritual key and point at `/ritual list`."""
    error = refusal(ritual.parse, text)
    assert error.message.startswith("Which ritual?")
    assert "`/ritual list`" in said(error)


@pytest.mark.parametrize("key", ["daily_triage!", "-daily", "<!here>", "ritual/1"])
def test_ritual_refuses_malformed_keys(key: str) -> None:
    """A key is lowercase letters, digits and hyphens; anything else is refused, inert."""
    error = refusal(ritual.parse, f"run {key}")
    assert "is not a ritual key" in error.message


def test_ritual_run_refuses_extra_words() -> None:
    """`run` takes only the key (a typo must not run the wrong thing)."""
    assert "takes only the ritual key" in refusal(ritual.parse, "run daily now").message


def test_ritual_list_refuses_extra_words() -> None:
    """`list` takes nothing after it."""
    assert "takes nothing after it" in refusal(ritual.parse, "list all").message


def test_ritual_decisions_refuses_other_scopes() -> None:
    """Decisions are listed open or all, nothing else."""
    error = refusal(ritual.parse, "decisions closed")
    assert "`/ritual decisions [open|all]`" in said(error)


def test_ritual_unknown_subcommand_lists_the_commands() -> None:
    """An unknown word is refused with the command names."""
    error = refusal(ritual.parse, "start daily")
    assert error.message == "There is no `/ritual start` command."
    assert "list, help, run, skip, unskip, owners, decisions, done, reopen" in (error.hint or "")


def test_ritual_text_over_3000_characters_is_refused() -> None:
    """Over-long text is refused naming the limit."""
    error = refusal(ritual.parse, "skip daily " + "x" * 3000)
    assert "takes at most 3000" in error.message


def test_ritual_help_lists_every_subcommand() -> None:
    """HELP names each `/ritual` subcommand, escaped."""
    text = unescape(ritual.HELP)
    for usage in [
        "/ritual list",
        "/ritual help",
        "/ritual run <ritual-key>",
        "/ritual skip <ritual-key> [reason]",
        "/ritual unskip <ritual-key>",
        "/ritual owners <ritual-key> <@user|role:<role>> […]",
        "/ritual decisions [open|all]",
        "/ritual done <number>",
        "/ritual reopen <number>",
    ]:
        assert usage in text
    assert "<" not in ritual.HELP


# ---- /ops ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("help", ops.ShowHelp()),
        ("", ops.ShowHelp()),
        ("dashboard", ops.ShowDashboard()),
        ("Dashboard", ops.ShowDashboard()),
        ("team", ops.ShowTeam()),
        (
            "team set eval-engineer <@U02BOB0001|bob>",
            ops.ChangeTeamRole("set", "eval-engineer", ("U02BOB0001",)),
        ),
        (
            "team add Product_Ops_Lead <@U01ALICE01> <@U02BOB0001|bob> <@U01ALICE01>",
            ops.ChangeTeamRole("add", "product-ops-lead", ("U01ALICE01", "U02BOB0001")),
        ),
        (
            "team remove eval-engineer <@U02BOB0001|Bob Lee>",
            ops.ChangeTeamRole("remove", "eval-engineer", ("U02BOB0001",)),
        ),
    ],
)
def test_ops_commands(text: str, command: object) -> None:
    """Each `/ops` subcommand parses to its typed command; role names are normalised, people
    named twice count once."""
    assert ops.parse(text) == command


def test_ops_team_changes_use_the_configured_roles() -> None:
    """Configured roles replace the default four: a role outside them is refused."""
    assert ops.parse("team add sre <@U01ALICE01>", roles={"sre"}) == ops.ChangeTeamRole(
        "add", "sre", ("U01ALICE01",)
    )
    error = refusal(lambda t: ops.parse(t, roles={"sre"}), "team set eval-engineer <@U01ALICE01>")
    assert error.message == "`eval-engineer` is not a team role; the roles are sre."


def test_ops_team_changes_refuse_unknown_roles_naming_the_known_ones() -> None:
    """An unknown role lists the roles there are."""
    error = refusal(ops.parse, "team set boss <@U01ALICE01>")
    assert "is not a team role" in error.message
    assert "eval-engineer, governance-partner, product-ops-lead, workflow-analyst" in error.message


@pytest.mark.parametrize(
    ("who", "shown"),
    [("@alice", "@alice"), ("alice", "alice"), ("<@U01ALICE01|alice> bob", "bob")],
)
def test_ops_team_changes_refuse_anything_but_mentions(who: str, shown: str) -> None:
    """Each person must be an @-mention picked from Slack's menu; the refusal names the first
    word that is not one, as typed."""
    error = refusal(ops.parse, f"team set eval-engineer {who}")
    assert error.message == f"`{shown}` is not a mention of a person."
    assert "`/ops team set eval-engineer @name @other`" in said(error)


def test_ops_team_change_refusals_for_missing_parts() -> None:
    """No role or no person: each is refused with what to type."""
    assert "Which role" in refusal(ops.parse, "team set").message
    assert refusal(ops.parse, "team set eval-engineer").message == "Who should hold eval-engineer?"
    assert refusal(ops.parse, "team add eval-engineer").message == "Who should be eval-engineer?"


def test_ops_refuses_unknown_and_extra_words() -> None:
    """Unknown subcommands, `team <other>` and words after `dashboard` are refused."""
    assert refusal(ops.parse, "metrics").message == "There is no `/ops metrics` command."
    assert "is not a command" in refusal(ops.parse, "team give x").message
    assert "takes nothing after it" in refusal(ops.parse, "dashboard now").message


def test_ops_text_over_3000_characters_is_refused() -> None:
    """Over-long text is refused naming the limit."""
    assert "takes at most 3000" in refusal(ops.parse, "team set " + "x" * 3000).message


def test_ops_help_lists_every_subcommand() -> None:
    """HELP names each `/ops` subcommand, escaped."""
    text = unescape(ops.HELP)
    for usage in [
        "/ops help",
        "/ops dashboard",
        "/ops team",
        "/ops team add <role> <@user>",
        "/ops team remove <role> <@user>",
        "/ops team set <role> <@user>",
    ]:
        assert usage in text
    assert "<" not in ops.HELP
