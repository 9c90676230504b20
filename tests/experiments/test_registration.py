"""Registering experiments by form and by API; bad input gets a clear refusal that names the
field and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from opsbot.experiments.store import Experiment
from opsbot.outbox import OutboxJob
from tests.telemetry.helpers import assert_no_leak, make_token, post

from .conftest import DAY, T0, at_once, card, design, experiment, flat, register

GUARDRAILS = "Guardrails: one per line, the metric and how much worse it may get"


def _counts(bot: Any) -> tuple[int, int]:
    """Experiments stored and Slack effects queued: what a refusal must leave alone."""
    with bot.ctx.tx() as session:
        experiments = session.exec(select(func.count()).select_from(Experiment)).one()
        jobs = session.exec(select(func.count()).select_from(OutboxJob)).one()
    return int(experiments), int(jobs)


def test_register_by_form(slack: Any, xbot: Any, people: Any, token: str) -> None:
    """`/ops experiment new` opens a form; submitted, it posts the card in the surface's
    channel with the design as registered and the state collecting; user text is escaped."""
    people.alice.command("/ops", "experiment new", channel="ai-ops")
    slack.wait_for(lambda: slack.open_views(people.alice.name))
    response = people.alice.submit(
        {
            "Hypothesis": "Shorter <!channel> prompt & fewer words raise success",
            "Control: what is live now": "prompt-v12",
            "Treatment: the change": "prompt-v13",
            "Smallest effect worth detecting": "2pp",
            GUARDRAILS: ("escalation_rate 1pp\ncost per success 10%"),
            "Key (empty: opsbot names it)": "shorter-prompt",
        }
    )
    assert response.status == 200, response.body_text
    assert slack.open_views(people.alice.name) == []
    shown = card(slack, "shorter-prompt")
    text = flat(shown.blocks)
    assert "&lt;!channel&gt; prompt &amp; fewer words" in text
    assert "<!channel>" not in text
    assert "collecting (7 days left)" in text
    assert "escalation rate no worse than 1.0 pp" in text
    assert "cost per successful outcome no worse than 10.0%" in text
    assert "Decide…" in text
    found = experiment(xbot, token, "shorter-prompt")
    assert found["registered_by"] == people.alice.id
    assert found["guardrails"] == [
        {"metric": "escalation_rate", "tolerance": pytest.approx(0.01)},
        {"metric": "cost_per_success", "tolerance": pytest.approx(0.1)},
    ]
    assert found["registered_late"] is False


@pytest.mark.parametrize(
    ("fields", "block", "says"),
    [
        (
            {GUARDRAILS: "escalation_rate"},
            "guardrails",
            "has no tolerance",
        ),
        (
            {GUARDRAILS: "latency 20ms"},
            "guardrails",
            "cannot compute the metric",
        ),
        ({"Smallest effect worth detecting": "2%"}, "min_effect", "percentage points"),
        ({"Treatment: the change": "prompt-v12"}, "treatment", "Both arms"),
        ({"Start (empty: now)": "next tuesday"}, "start", "not a date"),
    ],
)
def test_a_bad_form_keeps_the_modal_open_on_the_field(
    slack: Any, xbot: Any, people: Any, fields: dict[str, str], block: str, says: str
) -> None:
    """A malformed field is refused on that field, the modal stays open, nothing is stored."""
    people.alice.command("/ops", "experiment new", channel="ai-ops")
    slack.wait_for(lambda: slack.open_views(people.alice.name))
    before = _counts(xbot)
    values = {
        "Hypothesis": "Shorter prompt raises success",
        "Control: what is live now": "prompt-v12",
        "Treatment: the change": "prompt-v13",
        "Smallest effect worth detecting": "2pp",
        GUARDRAILS: "escalation_rate 1pp",
        **fields,
    }
    response = people.alice.submit(values)
    assert response.status == 200
    body = response.json
    assert body["response_action"] == "errors"
    assert says in body["errors"][block]
    assert slack.open_views(people.alice.name)
    assert _counts(xbot) == before


def test_api_refusals_name_the_field_and_change_nothing(xbot: Any, token: str) -> None:
    """No tolerance, a metric opsbot cannot compute, an unknown surface, a tag the surface
    does not have, a missing guardrail: each a 422 naming the field; nothing stored."""
    before = _counts(xbot)
    no_tolerance = register(xbot, token, guardrails=[{"metric": "escalation_rate"}])
    assert no_tolerance.status_code == 422
    assert no_tolerance.json()["problems"][0]["at"] == "guardrails[0].tolerance"
    cases = [
        ({"primary_metric": "p95_latency"}, "primary_metric", "cannot compute"),
        (
            {"guardrails": [{"metric": "csat", "tolerance": 0.1}]},
            "guardrails[0].metric",
            "cannot compute",
        ),
        (
            {"guardrails": [{"metric": "escalation_rate", "tolerance": 5}]},
            "guardrails[0].tolerance",
            "between 0 and 1",
        ),
        ({"surface": "checkout-agent"}, "surface", 'There is no surface "checkout-agent"'),
        (
            {"arm_kind": "tag", "control": "refund-agent", "treatment": "other"},
            "treatment",
            "not a telemetry tag",
        ),
        ({"guardrails": []}, "guardrails", "at least one guardrail"),
        ({"min_days": 0}, "min_days", "minimum run time"),
        ({"start": (T0 - 120 * DAY).isoformat()}, "start", "more than 90 days ago"),
        ({"key": "Not A Key"}, "key", "cannot be an experiment key"),
    ]
    for changes, field, says in cases:
        response = register(xbot, token, **changes)
        assert response.status_code == 422, (changes, response.text)
        body = response.json()
        assert body["field"] == field, body
        assert says in body["message"], body
        assert_no_leak(response.text, token)
    assert _counts(xbot) == before


def test_two_experiments_on_the_same_arms_at_once_are_refused(xbot: Any, token: str) -> None:
    """A second experiment comparing the same two versions while the first runs is a 409 that
    names the first; the reverse order of arms is the same pair; other arms are fine."""
    first = register(xbot, token)
    assert first.status_code == 201
    before = _counts(xbot)
    for changes in ({}, {"control": "prompt-v13", "treatment": "prompt-v12"}):
        again = register(xbot, token, **changes)
        assert again.status_code == 409, again.text
        assert "Experiment refund-agent-1 already compares" in again.json()["message"]
        assert again.json()["field"] == "treatment"
    assert _counts(xbot) == before
    other = register(xbot, token, treatment="prompt-v14")
    assert other.status_code == 201
    assert other.json()["experiment"]["key"] == "refund-agent-2"


def test_two_registrations_on_the_same_arms_sent_at_once_store_one(xbot: Any, token: str) -> None:
    """Two identical registrations sent at the same moment: one is stored (201), the other
    refused (409)."""
    answers = at_once([lambda: register(xbot, token), lambda: register(xbot, token)])
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert _counts(xbot)[0] == 1


def test_the_api_needs_the_right_scope(xbot: Any, token: str) -> None:
    """Registering takes the experiments scope (an ingest token gets 403); reading takes read
    or experiments; an unknown key is 404; no token is 401."""
    ingest_only = make_token(xbot, "ingest", name="ingest-only")
    assert post(xbot, "experiments", design(), ingest_only).status_code == 403
    assert post(xbot, "experiments", design(), None).status_code == 401
    reader = make_token(xbot, "read", name="reader")
    listed = httpx.get(
        f"{xbot.url}/api/v1/experiments", headers={"Authorization": f"Bearer {reader}"}
    )
    assert listed.status_code == 200 and listed.json() == {"experiments": []}
    missing = httpx.get(
        f"{xbot.url}/api/v1/experiments/nope", headers={"Authorization": f"Bearer {reader}"}
    )
    assert missing.status_code == 404


def test_list_and_show(slack: Any, xbot: Any, token: str, people: Any) -> None:
    """`/ops experiment list` names each experiment with its state; `show` its card and
    history; an unknown key says how to find one."""
    register(xbot, token)
    people.alice.command("/ops", "experiment list", channel="ai-ops")
    listed = slack.wait_for(lambda: people.alice.ephemerals("ai-ops"))[-1]
    assert "*refund-agent-1* on refund-agent: `prompt-v13` against `prompt-v12`" in listed.text
    people.alice.command("/ops", "experiment show refund-agent-1", channel="ai-ops")
    shown = slack.wait_for(lambda: people.alice.ephemerals("ai-ops")[1:])[-1]
    assert "History:" in flat(shown.blocks) and "registered" in flat(shown.blocks)
    people.alice.command("/ops", "experiment show nope", channel="ai-ops")
    missing = slack.wait_for(lambda: people.alice.ephemerals("ai-ops")[2:])[-1]
    assert "There is no experiment nope" in missing.text
    assert "/ops experiment list" in missing.text
    people.alice.command("/ops", "experiment decide refund-agent-1 maybe because", channel="ai-ops")
    wrong = slack.wait_for(lambda: people.alice.ephemerals("ai-ops")[3:])[-1]
    assert "is not a call I know" in wrong.text


def test_who_registered_is_shown_as_given(slack: Any, xbot: Any, token: str) -> None:
    """A registration from CI naming an email shows it as text (never a broken mention), and
    one naming no one shows the token's name."""
    named = register(xbot, token, registered_by="bob@example.com <!here>")
    assert named.status_code == 201, named.text
    shown = flat(card(slack, "refund-agent-1").blocks)
    assert "by bob@example.com &lt;!here&gt;" in shown
    assert "<@bob" not in shown
    register(xbot, token, treatment="prompt-v14")
    assert "by the API (token ci)" in flat(card(slack, "refund-agent-2").blocks)
