"""The dashboard's metrics in display order: the JSON key, its entries' key field, its title."""

from __future__ import annotations

METRICS = (
    "eval_pass_rate",
    "drift",
    "override_rate",
    "escalation_rate",
    "cost_to_outcome",
    "time_to_remediation",
)
KEY_FIELD = {
    "eval_pass_rate": "suite",
    "drift": "tag",
    "override_rate": "tag",
    "escalation_rate": "tag",
    "cost_to_outcome": "tag",
    "time_to_remediation": "severity",
}
TITLES = {
    "eval_pass_rate": "Eval pass rate",
    "drift": "Confidence drift (PSI)",
    "override_rate": "Override rate",
    "escalation_rate": "Escalation rate",
    "cost_to_outcome": "Cost per successful outcome",
    "time_to_remediation": "Time to remediation (declared → last fix verified)",
}
OWNERS = {  # the team role that owns acting on each metric
    "eval_pass_rate": "eval-engineer",
    "drift": "eval-engineer",
    "override_rate": "workflow-analyst",
    "escalation_rate": "workflow-analyst",
    "cost_to_outcome": "product-ops-lead",
    "time_to_remediation": "product-ops-lead",
}
