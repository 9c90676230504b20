"""The four default rituals, as plain data in the configuration file's own shape.

A configuration that defines ``rituals`` replaces all four. Schedules carry no time zone and
rituals no channel, so they follow the configuration's ``timezone`` and ``channels.ops``.
"""

from __future__ import annotations

from typing import Any

DAILY_EXCEPTION_TRIAGE: dict[str, Any] = {
    "key": "daily-exception-triage",
    "name": "Daily exception triage",
    "schedule": {"cron": "0 9 * * mon-fri"},
    "owners": ["role:product-ops-lead"],
    "window_minutes": 240,
    "remind_after_minutes": [60, 180],
    "grace_minutes": 120,
    "questions": [
        "Which exceptions, overrides or escalations from the last day need a decision today?",
        "Which open incidents lack a lead, a containment step or a customer update?",
        "Did any verification test regress after its incident closed?",
        "Which metric on the dashboard is at watch or act, and who is looking at it?",
    ],
    "decision_outputs": [
        "Owner and due date for each exception that needs a decision",
        "Incidents to declare, re-assign or escalate",
        "Metric alerts to investigate, with an owner",
    ],
}

WEEKLY_MODEL_WORKFLOW_REVIEW: dict[str, Any] = {
    "key": "weekly-model-workflow-review",
    "name": "Weekly model and workflow review",
    "schedule": {"cron": "0 15 * * tue"},
    "owners": ["role:workflow-analyst"],
    "window_minutes": 240,
    "remind_after_minutes": [60, 180],
    "grace_minutes": 120,
    "questions": [
        "Which prompt, policy, retrieval or model-routing changes shipped this week, and behind "
        "which eval gates?",
        "How did eval pass rates move per suite, and which change explains each delta?",
        "Where did override and escalation rates or cost-to-outcome move, and in which workflow?",
        "What was time-to-remediation for this week's incidents, and what slowed it down?",
        "Which workflow step produces the most exceptions, and is it a model, data or workflow "
        "problem?",
    ],
    "decision_outputs": [
        "Changes to roll back, hold or widen, each with an owner",
        "Workflow fixes to schedule, each with an owner and due date",
        "Risks to raise with the governance partner",
    ],
}

BIWEEKLY_EVAL_CALIBRATION: dict[str, Any] = {
    "key": "biweekly-eval-calibration",
    "name": "Biweekly eval calibration",
    "schedule": {"every_weeks": 2, "anchor": "2026-01-05", "at": "10:00"},  # a Monday
    "owners": ["role:eval-engineer"],
    "window_minutes": 240,
    "remind_after_minutes": [120],
    "grace_minutes": 240,
    "questions": [
        "Which eval cases should we add from recent incidents, overrides and escalations?",
        "Which eval cases are stale, duplicated or always passing and should be retired?",
        "Where do graders (human or model) disagree, and on which cases?",
        "Are the pre-deploy gate thresholds still right for each suite?",
        "Does the confidence distribution still match what reviewers see?",
    ],
    "decision_outputs": [
        "Eval cases to add or retire, each with an owner",
        "Threshold changes per suite, with the reason",
        "Grader guidance or rubric changes to publish",
    ],
}

MONTHLY_OPERATING_RETRO: dict[str, Any] = {
    "key": "monthly-operating-retro",
    "name": "Monthly operating retrospective",
    # First Thursday of the month: APScheduler requires both day (1-7) and weekday to match.
    "schedule": {"cron": "0 16 1-7 * thu"},
    "owners": ["role:product-ops-lead", "role:governance-partner"],
    "window_minutes": 2880,
    "remind_after_minutes": [240, 1440],
    "grace_minutes": 480,
    "questions": [
        "What did this month's incidents and postmortems teach us?",
        "Which decisions from our rituals are overdue, and why?",
        "What should we stop doing, start doing, or keep doing?",
        "How did autonomy (share of autonomous outcomes) and trust (overrides, escalations, "
        "incidents) move, and is the trade-off still right?",
        "Which governance or policy questions need an executive decision?",
    ],
    "decision_outputs": [
        "Practices to stop and to start, each with an owner",
        "Overdue decisions: re-owned, re-dated or dropped",
        "Items for the executive review",
    ],
}

DEFAULT_RITUALS: tuple[dict[str, Any], ...] = (
    DAILY_EXCEPTION_TRIAGE,
    WEEKLY_MODEL_WORKFLOW_REVIEW,
    BIWEEKLY_EVAL_CALIBRATION,
    MONTHLY_OPERATING_RETRO,
)
