"""The `surfaces` and `webhooks` keys: RELEASES.md's example loads, defaults fill in, and every
mistake is refused at its key path."""

from __future__ import annotations

import pytest

from opsbot.config import (
    DEFAULT_CONFIG_YAML,
    Config,
    GatePolicy,
    Guards,
    Rollout,
    RolloutStep,
    Surface,
    Webhook,
    parse_config,
)
from opsbot.errors import ConfigError, NotFound

EXAMPLE = """
surfaces:
  - key: refund-agent                  # slug
    name: Refund agent
    owners: ["role:workflow-analyst"]  # users or role:<role>
    channel: ai-ops                    # where its release cards go (default channels.ops)
    autonomy: "approves refunds under 50 EUR; escalates the rest"   # what it does on its own
    tags: [refund-agent]               # telemetry tags of this surface (default: [key])
    live: prompt-v12                   # the version live before opsbot ran any release (optional)
    unit: conversation_id              # the product's stickiness key for bucketing
    gates:                             # pre-deploy eval gates, per suite
      refunds: {min_pass_rate: 0.95, max_drop: 0.0, max_regressed_cases: 0,
                required_cases: [eval-refund-guard], repeats_min_pass: null}
    rollout:
      steps: [{percent: 1, minutes: 30}, {percent: 5, minutes: 60},
              {percent: 25, minutes: 120}, {percent: 50, minutes: 240}, {percent: 100}]
      min_samples: 200                 # decisions per arm before a step can pass
      max_minutes: 1440                # an inconclusive step is extended once, then paused
      auto_advance: false              # true: a passing step moves on without a click
      guards:                          # compared candidate vs live, same window
        override_rate: {margin: 0.01}
        escalation_rate: {margin: 0.01}
        failure_rate: {margin: 0.01, ceiling: 0.10}   # ceiling: tripwire at any step
        cost_to_outcome: {margin: 0.15}               # relative
        drift: {psi_act: 0.25}
    approvers: ["role:product-ops-lead", "role:eval-engineer"]
webhooks:                              # optional; signed pushes of rollout changes
  - url: https://deploy.example.com/opsbot
    secret_env: OPSBOT_WEBHOOK_SECRET  # the secret comes from the environment, never the file
"""


def problems(text: str) -> list[str]:
    """The problem lines of the ConfigError that ``text`` raises."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.message.splitlines()


def test_the_contract_example_loads_as_written() -> None:
    """RELEASES.md's surface and webhook example is a valid configuration, read key by key."""
    config = parse_config(EXAMPLE)
    surface = config.surface("refund-agent")
    assert (surface.name, surface.channel, surface.live, surface.unit) == (
        "Refund agent",
        "ai-ops",
        "prompt-v12",
        "conversation_id",
    )
    assert surface.owners == ["role:workflow-analyst"]
    assert surface.approvers == ["role:product-ops-lead", "role:eval-engineer"]
    gate = surface.gates["refunds"]
    assert (gate.min_pass_rate, gate.max_drop, gate.max_regressed_cases) == (0.95, 0.0, 0)
    assert (gate.required_cases, gate.repeats_min_pass) == (["eval-refund-guard"], None)
    assert [(s.percent, s.minutes) for s in surface.rollout.steps] == [
        (1, 30),
        (5, 60),
        (25, 120),
        (50, 240),
        (100, None),
    ]
    assert [s.percent for s in surface.rollout.canary_steps] == [1, 5, 25, 50]
    guards = surface.rollout.guards
    assert guards.failure_rate is not None and guards.failure_rate.ceiling == 0.10
    assert guards.drift is not None and guards.drift.psi_act == 0.25
    assert config.webhooks == [
        Webhook(url="https://deploy.example.com/opsbot", secret_env="OPSBOT_WEBHOOK_SECRET")
    ]


def test_a_bare_surface_takes_the_documented_defaults() -> None:
    """Only key and owners given: channel is channels.ops, tags [key], approvers the owners,
    the default five-step plan and guards, no gates and no live version."""
    config = parse_config(
        "channels: {ops: team-ops}\nsurfaces: [{key: support-copilot, owners: [U01ALICE01]}]"
    )
    surface = config.surfaces[0]
    assert surface.name == "Support copilot"
    assert (surface.channel, surface.tags, surface.approvers) == (
        "team-ops",
        ["support-copilot"],
        ["U01ALICE01"],
    )
    assert (surface.live, surface.gates, surface.unit) == (None, {}, "conversation_id")
    assert [s.percent for s in surface.rollout.steps] == [1, 5, 25, 50, 100]
    assert surface.rollout == Rollout()
    assert surface.rollout.guards == Guards()
    assert (surface.rollout.min_samples, surface.rollout.max_minutes) == (200, 1440)
    assert surface.rollout.auto_advance is False
    assert config.surface_of_tag("support-copilot") is surface
    assert config.surface_of_tag("other") is None


def test_no_surfaces_by_default_and_an_unknown_key_lists_the_known_ones() -> None:
    """Without the key there are no surfaces; asking for an unknown one names the real ones."""
    assert Config().surfaces == [] and Config().webhooks == []
    with pytest.raises(NotFound) as none:
        Config().surface("refund-agent")
    assert "No surfaces are configured" in none.value.for_slack()
    config = parse_config(EXAMPLE)
    with pytest.raises(NotFound) as caught:
        config.surface("refund")
    assert "refund-agent" in caught.value.for_slack()


def test_default_yaml_documents_the_surface_keys() -> None:
    """Every key of a surface, its gates, plan, steps, guards and webhooks is documented."""
    keys = set()
    for model in (Surface, GatePolicy, Rollout, RolloutStep, Guards, Webhook):
        keys |= set(model.model_fields)
    assert [key for key in keys if key not in DEFAULT_CONFIG_YAML] == []


def test_surface_mistakes_are_refused_at_their_key_paths() -> None:
    """Bad slugs, channels, roles, thresholds, unknown keys and duplicate keys are each named."""
    lines = problems("""
surfaces:
  - key: Refund Agent
    owners: ["role:nobody"]
    channel: "#ai-ops"
  - key: b
    owners: [U01ALICE01]
    approvers: [bob]
    gates: {refunds: {min_pass_rate: 2, requred_cases: []}}
  - key: b
    owners: []
""")
    assert lines == [
        'surfaces[0].key: "Refund Agent" must be lowercase words joined by "-" '
        "(at most 60 characters), like refund-agent",
        'surfaces[0].channel: "#ai-ops" must be written without "#": ai-ops',
        'surfaces[0].owners[0]: unknown role "nobody"; known roles: product-ops-lead, '
        "eval-engineer, workflow-analyst, governance-partner (define new ones under roles:)",
        "surfaces[1].gates.refunds.min_pass_rate: 2 should be less than or equal to 1",
        "surfaces[1].gates.refunds.requred_cases: unknown key; did you mean required_cases?",
        'surfaces[1].approvers[0]: "bob" is neither "role:<role>" nor a Slack user id '
        "(like U01ABCDEF)",
        "surfaces[2].owners: needs at least 1 item(s)",
        'surfaces[2].key: "b" is already the key of surfaces[1]; surface keys must be unique',
    ]


def test_rollout_plans_must_grow_and_end_promoted() -> None:
    """Shares only grow, end at 100 with no minutes, every earlier step has minutes, and a plan
    needs a canary share before 100."""
    surface = "surfaces: [{key: a, owners: [U01ALICE01], rollout: {steps: %s}}]"
    assert problems(
        surface % "[{percent: 5, minutes: 9}, {percent: 1, minutes: 9}, {percent: 100}]"
    )[0] == (
        "surfaces[0].rollout.steps[1].percent: 1 is not above the step before (5); shares only grow"
    )
    assert problems(surface % "[{percent: 1, minutes: 9}, {percent: 50, minutes: 9}]") == [
        "surfaces[0].rollout.steps[1].percent: the last step must be 100 (promoted), not 50"
    ]
    assert problems(surface % "[{percent: 1}, {percent: 100}]") == [
        "surfaces[0].rollout.steps[0].minutes: is required: every step before the last holds "
        "its share this long"
    ]
    assert problems(surface % "[{percent: 100}]") == [
        "surfaces[0].rollout.steps: needs at least one share under 100 before the final "
        "{percent: 100}"
    ]
    assert problems(surface % "[{percent: 0.001, minutes: 5}, {percent: 100}]") == [
        "surfaces[0].rollout.steps[0].percent: 0.001 is finer than the buckets (0.01 percent)"
    ]
    assert problems(surface % "[{percent: 0, minutes: 5}, {percent: 100}]") == [
        "surfaces[0].rollout.steps[0].percent: 0 should be greater than 0"
    ]
    fine = parse_config(surface % "[{percent: 0.5, minutes: 5}, {percent: 100}]")
    assert fine.surfaces[0].rollout.steps[0].percent == 0.5


def test_a_telemetry_tag_belongs_to_one_surface() -> None:
    """Two surfaces claiming one tag (given, or by default their key) are refused."""
    assert problems(
        "surfaces: [{key: a, owners: [U01ALICE01]}, {key: b, owners: [U01ALICE01], tags: [a]}]"
    ) == [
        'surfaces[1].tags[0]: the telemetry tag "a" already belongs to surfaces[0]; '
        "a tag belongs to one surface"
    ]


def test_webhooks_need_https_and_a_secret_named_not_given() -> None:
    """A webhook URL is https (http only on loopback) and secret_env names a variable."""
    lines = problems("""
webhooks:
  - {url: "http://deploy.example.com/hook", secret_env: whsec_abc}
  - {url: "ftp://x", secret_env: HOOK}
  - {url: "https://deploy.example.com/hook", secret_env: HOOK, secret: x}
""")
    assert lines == [
        'webhooks[0].url: "http://deploy.example.com/hook" must use https:// '
        "(plain http is only for a loopback address)",
        'webhooks[0].secret_env: "whsec_abc" is not an environment variable name (capitals, '
        "digits and _, like OPSBOT_WEBHOOK_SECRET); the secret itself never goes in this file",
        'webhooks[1].url: "ftp://x" is not an http(s) URL, like https://deploy.example.com/opsbot',
        "webhooks[2].secret: unknown key; did you mean secret_env?",
    ]
    loopback = parse_config(
        'webhooks: [{url: "http://127.0.0.1:8080/h", secret_env: A}, '
        '{url: "http://localhost/h", secret_env: B}, {url: "http://[::1]:9/h", secret_env: C}]'
    )
    assert len(loopback.webhooks) == 3
