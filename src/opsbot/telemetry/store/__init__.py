"""The telemetry store: its tables and every query on them (the only place with ``select``).

One module per group of tables, all importable from here: ``tables`` (the SQLModel tables),
``access`` (API tokens, idempotency records), ``evals`` (eval runs and cases) and ``rollups``
(raw confidence and outcome batches, and the per-day and per-hour rollups the dashboard reads).
"""

from __future__ import annotations

from opsbot.telemetry.store.access import (
    add_token,
    claim_key,
    forget_keys,
    remember_answer,
    token_named,
    token_with_hash,
    tokens,
)
from opsbot.telemetry.store.evals import (
    CaseResult,
    add_eval_run,
    latest_results,
    latest_runs,
    pass_totals,
    runs_between,
    suites,
)
from opsbot.telemetry.store.rollups import (
    OutcomeSums,
    OutcomeTotals,
    add_confidence,
    add_outcomes,
    arm_sums,
    confidence_windows,
    day_of,
    hour_of,
    outcome_windows,
)
from opsbot.telemetry.store.tables import (
    ApiToken,
    ConfidenceArchive,
    ConfidenceDay,
    EvalCase,
    EvalRun,
    IdempotencyRecord,
    OutcomeRecord,
    OutcomeRollup,
)

__all__ = [
    "ApiToken",
    "CaseResult",
    "ConfidenceArchive",
    "ConfidenceDay",
    "EvalCase",
    "EvalRun",
    "IdempotencyRecord",
    "OutcomeRecord",
    "OutcomeRollup",
    "OutcomeSums",
    "OutcomeTotals",
    "add_confidence",
    "add_eval_run",
    "add_outcomes",
    "add_token",
    "arm_sums",
    "claim_key",
    "confidence_windows",
    "day_of",
    "forget_keys",
    "hour_of",
    "latest_results",
    "latest_runs",
    "outcome_windows",
    "pass_totals",
    "remember_answer",
    "runs_between",
    "suites",
    "token_named",
    "token_with_hash",
    "tokens",
]
