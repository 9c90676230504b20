"""Storing validated telemetry: one call per batch, inside the caller's transaction.

A stored eval run is handed to the eval-run hooks the caller passes (``ctx.eval_run_hooks``),
once per run and in the same transaction: the incidents feature's hook verifies each open fix
whose verification test is one of the run's passing cases, and tells the incident channel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from opsbot.errors import OpsError
from opsbot.seams import EvalRunHook, EvalRunSummary
from opsbot.telemetry import store
from opsbot.telemetry.schemas import Batch, ConfidenceBatch, EvalRunIn, OutcomeBatch

log = logging.getLogger(__name__)


class DuplicateRun(OpsError):
    """An eval run with this suite and run_id is already stored."""


def store_batch(
    session: Session, batch: Batch, *, now: datetime, eval_run_hooks: Sequence[EvalRunHook]
) -> dict[str, Any]:
    """Store one validated batch and its rollups; returns the API's answer body."""
    if isinstance(batch, ConfidenceBatch):
        store.add_confidence(session, batch.records, received_at=now)
        return {"stored": len(batch.records), "kind": "confidence"}
    if isinstance(batch, OutcomeBatch):
        store.add_outcomes(session, batch.records)
        return {"stored": len(batch.records), "kind": "outcome"}
    return store_eval_run(session, batch, now=now, hooks=eval_run_hooks)


def store_eval_run(
    session: Session, run: EvalRunIn, *, now: datetime, hooks: Sequence[EvalRunHook]
) -> dict[str, Any]:
    """Store a run and its cases, then hand its summary to each hook (one call per run)."""
    try:  # written before anything is read, so SQLite takes its write lock first
        row = store.add_eval_run(session, run, received_at=now)
    except IntegrityError:
        raise DuplicateRun(
            f'Run "{run.run_id}" of suite "{run.suite}" is already stored.',
            hint="Give each run its own run_id, or retry with the same "
            "Idempotency-Key to get the first answer back.",
        ) from None
    summary = EvalRunSummary(
        suite=run.suite,
        run_ref=run.run_id,
        passing=tuple(dict.fromkeys(case.id for case in run.cases if case.passed)),
        failing=tuple(dict.fromkeys(case.id for case in run.cases if not case.passed)),
        at=now,
    )
    settled = [entry for hook in hooks for entry in hook(session, summary)]
    return {
        "stored": 1,
        "kind": "eval-run",
        "suite": run.suite,
        "run_id": run.run_id,
        "cases": row.cases_total,
        "passed": row.cases_passed,
        "verified_fixes": settled,
    }
