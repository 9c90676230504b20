"""`/ops team` shows who holds each role and what it owns; `/ops team set` changes a holder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opsbot.config import parse_config
from opsbot.testing.live import LiveBot


@pytest.fixture
def team_bot(slack: Any, database_url: str) -> Iterator[LiveBot]:
    """opsbot whose configuration makes alice the product-ops-lead."""
    alice = slack.person("alice")
    config = parse_config(
        f"team: {{product-ops-lead: [{alice.id}]}}\n"
        "roles: {safety-reviewer: Reviews red-team findings before launch.}\n"
    )
    with LiveBot(slack, database_url, config=config) as live:
        yield live


def _reply(slack: Any, person: Any, already: int = 0) -> str:
    return slack.wait_for(lambda: person.ephemerals()[already:])[0].text


def test_ops_team_lists_roles_holders_and_what_each_owns(slack, team_bot) -> None:
    """`/ops team` answers the typist alone with every role (configured ones too), its holders
    and what it owns, and says nobody holds a role yet where that is so."""
    alice, carol = slack.person("alice"), slack.person("carol")
    carol.command("/ops", "team", channel="general")
    text = _reply(slack, carol)
    assert f"*product-ops-lead*: <@{alice.id}> (configuration)" in text
    assert "*eval-engineer*: _nobody yet_ (nobody)" in text
    assert "*safety-reviewer*: _nobody yet_" in text
    assert "Reviews red-team findings before launch." in text
    assert "owns: Owns eval suites, grader quality" in text
    assert slack.messages("general") == []


def test_ops_team_set_gives_a_role_and_says_so_in_the_channel(slack, team_bot) -> None:
    """`/ops team set <role> <@user>` gives the role at once, says who did it in the channel,
    and `/ops team` then shows the new holder and who set it."""
    alice, bob = slack.person("alice"), slack.person("bob")
    alice.command("/ops", f"team set eval-engineer <@{bob.id}|bob>", channel="general")
    announced = slack.wait_for(lambda: slack.messages("general"))[0].text
    assert announced == f"<@{alice.id}> gave the *eval-engineer* role to <@{bob.id}>."
    alice.command("/ops", "team", channel="general")
    assert f"*eval-engineer*: <@{bob.id}> (set by <@{alice.id}>)" in _reply(slack, alice)
    alice.command("/ops", f"team set product-ops-lead <@{bob.id}>", channel="general")
    slack.wait_for(lambda: len(slack.messages("general")) == 2)
    alice.command("/ops", "team", channel="general")
    text = _reply(slack, alice, already=1)
    assert f"*product-ops-lead*: <@{bob.id}> (set by" in text  # replaces the configured holder


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("team set chief-of-vibes <@U0BOB00001>", "is not a team role; the roles are"),
        ("team set eval-engineer", "Who should be eval-engineer?"),
        ("team set eval-engineer bob", "is not a mention of one person"),
        ("team sit", "is not a command"),
    ],
)
def test_ops_team_set_refusals_say_what_to_type(slack, team_bot, typed, expected) -> None:
    """A bad `/ops team set` is refused to the typist alone, saying what is wrong and what to
    type instead, and changes nothing."""
    carol = slack.person("carol")
    carol.command("/ops", typed, channel="general")
    text = _reply(slack, carol)
    assert expected in text and "/ops team" in text
    assert slack.messages("general") == []


def test_a_ritual_owned_by_a_role_follows_the_role_holder(slack, database_url) -> None:
    """A ritual owned by `role:eval-engineer` is owned by whoever holds the role: after
    `/ops team set eval-engineer @bob`, `/ritual list` names bob as its owner."""
    alice, bob = slack.person("alice"), slack.person("bob")
    config = parse_config(
        'rituals:\n  - key: eval-calibration\n    schedule: {cron: "0 10 * * mon"}\n'
        '    owners: ["role:eval-engineer"]\n    questions: ["Which cases to add?"]\n'
    )
    with LiveBot(slack, database_url, config=config):
        alice.command("/ritual", "list", channel="general")
        assert "eval-engineer (nobody yet)" in _reply(slack, alice)
        alice.command("/ops", f"team set eval-engineer <@{bob.id}>", channel="general")
        slack.wait_for(lambda: slack.messages("general"))
        alice.command("/ritual", "list", channel="general")
        assert f"eval-engineer (<@{bob.id}>)" in _reply(slack, alice, already=1)
