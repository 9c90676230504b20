"""Team roles: `/ops team` shows who holds each role; `add`, `remove` and `set` change the
holders (several per role), by the people `team_managers` names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opsbot.config import parse_config
from opsbot.testing.live import LiveBot
from tests.concurrently import at_once


def _mention(person: Any) -> str:
    """A mention as Slack sends it in command text (escaped, with the name as label)."""
    return f"<@{person.id}|{person.name}>"


@pytest.fixture
def team_bot(slack: Any, database_url: str) -> Iterator[LiveBot]:
    """opsbot whose configuration makes alice the product-ops-lead and dora an incident admin."""
    alice, dora = slack.person("alice"), slack.person("dora")
    config = parse_config(
        f"team: {{product-ops-lead: [{alice.id}]}}\n"
        f"incidents: {{admins: [{dora.id}]}}\n"
        "roles: {safety-reviewer: Reviews red-team findings before launch.}\n"
    )
    with LiveBot(slack, database_url, config=config) as live:
        yield live


@pytest.fixture
def new_team_bot(slack: Any, database_url: str) -> Iterator[LiveBot]:
    """opsbot on the default configuration: nobody holds any role yet."""
    with LiveBot(slack, database_url) as live:
        yield live


def _reply(slack: Any, person: Any, already: int = 0) -> str:
    return slack.wait_for(lambda: person.ephemerals()[already:])[0].text


def _said(slack: Any, count: int) -> list[str]:
    return [m.text for m in slack.wait_for(lambda: slack.messages("general")[count - 1 :])]


def test_ops_team_lists_roles_holders_and_what_each_owns(slack, team_bot) -> None:
    """`/ops team` answers the typist alone with every role (configured ones too), its holders
    and where they come from, what it owns, and who may change roles."""
    alice, carol, dora = slack.person("alice"), slack.person("carol"), slack.person("dora")
    carol.command("/ops", "team", channel="general")
    text = _reply(slack, carol)
    assert f"*product-ops-lead*: <@{alice.id}> (from the configuration)" in text
    assert "*eval-engineer*: _nobody yet_\n" in text
    assert "(nobody)" not in text
    assert "*safety-reviewer*: _nobody yet_" in text
    assert "Reviews red-team findings before launch." in text
    assert "owns: Owns eval suites, grader quality" in text
    assert (
        f"Who may change roles: the product-ops-lead (<@{alice.id}>) and incident admins "
        f"(<@{dora.id}>)." in text
    )
    assert slack.messages("general") == []


def test_a_role_holds_several_people_added_and_removed(slack, team_bot) -> None:
    """`add` gives a role to several people at once and keeps those who held it, `remove`
    takes it from one; each change is said in the channel with who holds the role now."""
    alice, bob, carol = slack.person("alice"), slack.person("bob"), slack.person("carol")
    alice.command(
        "/ops", f"team add eval-engineer {_mention(bob)} {_mention(carol)}", channel="general"
    )
    assert _said(slack, 1)[0] == (
        f"<@{alice.id}> gave *eval-engineer* to <@{bob.id}>, <@{carol.id}>; "
        f"it is now held by <@{bob.id}>, <@{carol.id}>."
    )
    alice.command("/ops", f"team add product-ops-lead {_mention(bob)}", channel="general")
    assert _said(slack, 2)[0].endswith(f"it is now held by <@{alice.id}>, <@{bob.id}>.")
    alice.command("/ops", f"team remove eval-engineer {_mention(carol)}", channel="general")
    assert _said(slack, 3)[0] == (
        f"<@{alice.id}> took *eval-engineer* from <@{carol.id}>; it is now held by <@{bob.id}>."
    )
    alice.command("/ops", "team", channel="general")
    text = _reply(slack, alice)
    assert f"*eval-engineer*: <@{bob.id}> (set by <@{alice.id}>," in text
    assert f"*product-ops-lead*: <@{alice.id}>, <@{bob.id}> (set by" in text


def test_set_replaces_the_holders_and_says_whom_it_replaced(slack, team_bot) -> None:
    """`set` makes the people named the role's only holders, and the channel is told whom
    they replaced (the configured holder included)."""
    alice, bob, carol = slack.person("alice"), slack.person("bob"), slack.person("carol")
    alice.command(
        "/ops", f"team set product-ops-lead {_mention(bob)} {_mention(carol)}", channel="general"
    )
    assert _said(slack, 1)[0] == (
        f"<@{alice.id}> set *product-ops-lead* to <@{bob.id}>, <@{carol.id}>, "
        f"replacing <@{alice.id}>."
    )
    bob.command("/ops", f"team set product-ops-lead {_mention(carol)}", channel="general")
    assert _said(slack, 2)[0].endswith(f"to <@{carol.id}>, replacing <@{bob.id}>.")


def test_removing_every_holder_leaves_the_role_empty(slack, team_bot) -> None:
    """Removing the last holder leaves the role held by nobody (the configured holder does not
    come back)."""
    alice, dora = slack.person("alice"), slack.person("dora")
    dora.command("/ops", f"team remove product-ops-lead {_mention(alice)}", channel="general")
    assert _said(slack, 1)[0].endswith("it is now held by nobody.")
    dora.command("/ops", "team", channel="general")
    assert "*product-ops-lead*: _nobody yet_ (set by" in _reply(slack, dora)


def test_only_managers_may_change_roles(slack, team_bot) -> None:
    """Someone who is neither product-ops-lead nor an incident admin is refused, told who may
    (by name), and nothing changes; an incident admin may."""
    alice, bob, carol, dora = (slack.person(n) for n in ("alice", "bob", "carol", "dora"))
    carol.command("/ops", f"team add eval-engineer {_mention(carol)}", channel="general")
    text = _reply(slack, carol)
    assert text.startswith(
        f"Only the product-ops-lead (<@{alice.id}>) and incident admins (<@{dora.id}>) may "
        "change team roles."
    )
    assert "|" not in text
    dora.command("/ops", f"team add eval-engineer {_mention(bob)}", channel="general")
    assert _said(slack, 1)[0].startswith(f"<@{dora.id}> gave *eval-engineer*")
    assert len(slack.messages("general")) == 1


def test_anyone_may_change_roles_until_someone_leads(slack, new_team_bot) -> None:
    """With nobody holding product-ops-lead anyone may change roles, as `/ops team` says; once
    someone leads, others are refused."""
    bob, carol = slack.person("bob"), slack.person("carol")
    carol.command("/ops", "team", channel="general")
    assert "Anyone may change roles until someone holds *product-ops-lead*." in _reply(slack, carol)
    carol.command("/ops", f"team add eval-engineer {_mention(carol)}", channel="general")
    _said(slack, 1)
    carol.command("/ops", f"team set product-ops-lead {_mention(bob)}", channel="general")
    _said(slack, 2)
    carol.command("/ops", f"team remove eval-engineer {_mention(carol)}", channel="general")
    assert f"Only the product-ops-lead (<@{bob.id}>) may change team roles." in _reply(
        slack, carol, already=1
    )


def test_team_managers_are_configurable(slack, database_url) -> None:
    """`team_managers` names who may change roles: with only the eval-engineer role there,
    the product-ops-lead is refused and the eval engineer is not."""
    alice, erin = slack.person("alice"), slack.person("erin")
    config = parse_config(
        f"team: {{product-ops-lead: [{alice.id}], eval-engineer: [{erin.id}]}}\n"
        'team_managers: ["role:eval-engineer"]\n'
    )
    with LiveBot(slack, database_url, config=config):
        alice.command("/ops", f"team add workflow-analyst {_mention(alice)}", channel="general")
        assert f"Only the eval-engineer (<@{erin.id}>) may change" in _reply(slack, alice)
        erin.command("/ops", f"team add workflow-analyst {_mention(alice)}", channel="general")
        assert _said(slack, 1)[0].startswith(f"<@{erin.id}> gave *workflow-analyst*")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("team set chief-of-vibes <@U0BOB00001|bob>", "is not a team role; the roles are"),
        ("team set eval-engineer", "Who should hold eval-engineer?"),
        ("team add eval-engineer bob", "`bob` is not a mention of a person."),
        ("team add eval-engineer <@U0BOB00001|bob> carol", "`carol` is not a mention"),
        ("team sit", "is not a command"),
        ("team <@U0BOB00001|bob>", "`/ops team @bob` is not a command"),
    ],
)
def test_team_refusals_say_what_to_type_without_escape_syntax(
    slack, team_bot, typed, expected
) -> None:
    """A bad `/ops team …` is refused to the typist alone, saying what is wrong and what to
    type instead, never echoing Slack's escape syntax, and changes nothing."""
    alice = slack.person("alice")
    alice.command("/ops", typed, channel="general")
    text = _reply(slack, alice)
    assert expected in text and "/ops team" in text
    assert "<@" not in text and "|bob" not in text
    assert slack.messages("general") == []


def test_a_change_that_changes_nothing_is_refused(slack, team_bot) -> None:
    """Adding someone who holds the role, or removing someone who does not, says so and
    changes nothing."""
    alice, bob = slack.person("alice"), slack.person("bob")
    alice.command("/ops", f"team add product-ops-lead {_mention(alice)}", channel="general")
    assert _reply(slack, alice).startswith(f"<@{alice.id}> already holds *product-ops-lead*;")
    alice.command("/ops", f"team remove eval-engineer {_mention(bob)}", channel="general")
    assert _reply(slack, alice, 1).startswith(f"<@{bob.id}> does not hold *eval-engineer*;")
    assert slack.messages("general") == []


def test_a_ritual_owned_by_a_role_follows_the_role_holders(slack, database_url) -> None:
    """A ritual owned by `role:eval-engineer` is owned by whoever holds the role: after
    `/ops team add eval-engineer @bob @carol`, `/ritual list` names both."""
    alice, bob, carol = slack.person("alice"), slack.person("bob"), slack.person("carol")
    config = parse_config(
        'rituals:\n  - key: eval-calibration\n    schedule: {cron: "0 10 * * mon"}\n'
        '    owners: ["role:eval-engineer"]\n    questions: ["Which cases to add?"]\n'
    )
    with LiveBot(slack, database_url, config=config):
        alice.command("/ritual", "list", channel="general")
        assert "eval-engineer (nobody yet)" in _reply(slack, alice)
        alice.command(
            "/ops", f"team add eval-engineer {_mention(bob)} {_mention(carol)}", channel="general"
        )
        _said(slack, 1)
        alice.command("/ritual", "list", channel="general")
        assert f"eval-engineer (<@{bob.id}>, <@{carol.id}>)" in _reply(slack, alice, already=1)


def test_team_changes_typed_at_once_make_one_change_each(slack, team_bot) -> None:
    """Eight people adding themselves to one role at once all end up holding it (none lost),
    and five setting the same holder at once announce it once, the others told it is done."""
    dora = slack.person("dora")
    crowd = [slack.person(f"member{i}") for i in range(8)]
    at_once(
        [
            lambda p=p: dora.command(
                "/ops", f"team add workflow-analyst {_mention(p)}", channel="general"
            )
            for p in crowd
        ]
    )
    slack.wait_for(lambda: len(slack.messages("general")) == 8)
    dora.command("/ops", "team", channel="general")
    listed = _reply(slack, dora)
    assert all(f"<@{p.id}>" in listed.split("*workflow-analyst*")[1].split("\n")[0] for p in crowd)
    bob = slack.person("bob")
    at_once(
        [
            lambda: dora.command(
                "/ops", f"team set eval-engineer {_mention(bob)}", channel="general"
            )
            for _ in range(5)
        ]
    )
    slack.wait_for(lambda: len(dora.ephemerals()) == 5)
    assert len([m for m in slack.messages("general") if "set *eval-engineer*" in m.text]) == 1
    refused = [e.text for e in dora.ephemerals()[1:]]
    assert all(f"<@{bob.id}> already holds *eval-engineer* (set by" in t for t in refused)
