"""``DEFAULT_CONFIG_YAML``: the documented default configuration, as the README shows it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from opsbot.config.default_rituals import DEFAULT_RITUALS


def _yaml_scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _ritual_yaml(ritual: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for key, value in ritual.items():
        lead = "  - " if not lines else "    "
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items())
            lines.append(f"{lead}{key}: {{{inner}}}")
        elif isinstance(value, list) and key in {"questions", "decision_outputs"}:
            lines.append(f"{lead}{key}:")
            lines.extend(f"      - {_yaml_scalar(item)}" for item in value)
        elif isinstance(value, list):
            lines.append(f"{lead}{key}: [{', '.join(_yaml_scalar(item) for item in value)}]")
        else:
            lines.append(f"{lead}{key}: {_yaml_scalar(value)}")
    return "\n".join(lines)


DEFAULT_CONFIG_YAML = (
    """\
# opsbot configuration (OPSBOT_CONFIG names this file). Every key is optional; a key you leave
# out keeps the default shown here, and a misspelt key stops the bot with its key path.

timezone: UTC                      # IANA time zone of ritual schedules that do not name one

channels:                          # channel names, without "#"
  incidents: incidents             # incident announcements
  customer_comms: customer-comms   # customer updates, copied from incident channels
  ops: ai-ops                      # ritual check-ins and metric alerts; rituals' default channel

team: {}                           # role -> Slack user ids, for example:
#  product-ops-lead: [U01ALICE01]
#  governance-partner: [U03CAROL01]

team_managers:                     # who may change team roles (/ops team add|remove|set):
  - "role:product-ops-lead"        # "role:<role>", Slack user ids, or "incidents.admins";
  - "incidents.admins"             # anyone may while no role listed here has a holder

roles: {}                          # extra roles (name: what the role owns); the built-in ones:
#  product-ops-lead: the operating rhythm (daily triage, incident command, the retro)
#  eval-engineer: eval suites, grader quality, pre-deploy gate thresholds
#  workflow-analyst: workflow maps, override and escalation analysis, the weekly review
#  governance-partner: policy, risk and customer-trust calls
#  for example:  data-steward: retrieval corpora and their freshness

incidents:
  admins: []                       # user ids that may resolve and close any incident
  invite_roles:                    # roles invited to a new incident channel; a severity left
    sev1: [product-ops-lead, governance-partner]   # out keeps this default, [] invites nobody
    sev2: [product-ops-lead]
    sev3: []
    sev4: []
  update_cadence_minutes:          # customer-update nudge when an update is this late;
    sev1: 30                       # null: no cadence; a severity left out keeps this default
    sev2: 60
    sev3: 240
    sev4: null
  archive_on_close: false          # archive the incident channel when the incident closes
  lead_nudge_minutes: 5            # nudge when nobody but the declarer leads after this
  unverified_fix_nudge_hours: 24   # nudge when a fix is still unverified after this

dashboard:                         # null: the dashboard's built-in threshold
  drift_watch: null                # drift score at which a tag is "watch"
  drift_act: null                  # drift score at which a tag is "act" (>= drift_watch)
  drift_min_n: 200                 # scores needed in each window to judge drift
  current_window_days: 7           # the recent window of drift, rates and cost-to-outcome
  baseline_window_days: 28         # the window before it, compared against
  remediation_window_days: 90      # time-to-remediation covers incidents resolved in this
  eval_threshold: null             # eval pass rate (0-1) under which a suite is "act"

ingest:                            # record times the ingest API and `opsbot ingest` accept;
  accept_past_days: 400            # older records are refused (422, naming each record)
  accept_future_minutes: 60        # so are records dated later than now plus this

# surfaces: each AI behaviour that ships on its own (a prompt, policy, retrieval configuration
# or model route); releases of it are gated, rolled out and rolled back through opsbot. None by
# default. Each surface:
#   key          unique slug (/release status <key>, GET /api/v1/rollouts/<key>, incidents)
#   name         how people read it (default: from the key)
#   owners       "role:<role>" or Slack user ids (at least one)
#   channel      where its release cards go (default: channels.ops)
#   autonomy     what it does on its own, in one sentence (shown on its release cards)
#   tags         telemetry tags of its confidence and outcome records (default: [key]);
#                a tag belongs to one surface
#   live         the version live before opsbot ran any release of it (optional)
#   unit         the product's stickiness key for bucketing, e.g. conversation_id (the default)
#   gates        pre-deploy eval gates per suite: {suite: {min_pass_rate, max_drop,
#                max_regressed_cases, required_cases, repeats_min_pass}}; null skips a check,
#                repeats_min_pass is the share (0-1) of a repeated case's runs that must pass
#   rollout      steps: [{percent, minutes}, ..., {percent: 100}] (default 1/30, 5/60, 25/120,
#                50/240, then 100 = promoted); min_samples: 200 decisions per arm;
#                max_minutes: 1440; auto_advance: false; guards: {override_rate: {margin: 0.01},
#                escalation_rate: {margin: 0.01}, failure_rate: {margin: 0.01, ceiling: 0.10},
#                cost_to_outcome: {margin: 0.15}, drift: {psi_act: 0.25}} (null: guard off)
#   approvers    who may start and promote its releases (default: the owners)
surfaces: []
#  - key: refund-agent
#    owners: ["role:workflow-analyst"]
#    gates: {refunds: {min_pass_rate: 0.95, max_regressed_cases: 0}}
#    approvers: ["role:product-ops-lead", "role:eval-engineer"]

webhooks: []                       # signed pushes of rollout changes (Standard Webhooks):
#  - url: https://deploy.example.com/opsbot   # https://, or http:// on a loopback address
#    secret_env: OPSBOT_WEBHOOK_SECRET        # names the variable holding whsec_<base64>

# rituals: a list here replaces all four defaults. Each ritual:
#   key                  unique slug, used by /ritual run <key>
#   name                 title of the check-in (default: from the key)
#   schedule             {cron: "min hour day month weekday"} (weekdays 0-7 or sun-sat, Sunday
#                        = 0 or 7; when day and weekday are both set a time must match both, so
#                        "0 16 1-7 * thu" is the first Thursday), or {every_weeks: N,
#                        anchor: YYYY-MM-DD (the first occurrence), at: "HH:MM"}; either form
#                        takes timezone: (default: the top-level timezone). Quote "HH:MM".
#   channel              where the check-in is posted (default: channels.ops)
#   owners               "role:<role>" or Slack user ids; they are reminded until they check in
#   window_minutes       the occurrence closes and is summarized after this
#   remind_after_minutes reminders to owners who have not checked in, each inside the window
#                        (default [60]; left out when the window is 60 minutes or shorter)
#   grace_minutes        an occurrence missed while the bot was down is still posted within
#                        this; later, it is recorded as missed
#   questions            asked at check-in (at least one)
#   decision_outputs     the decisions the occurrence must record
rituals:
"""
    + "\n".join(_ritual_yaml(ritual) for ritual in DEFAULT_RITUALS)
    + "\n"
)
