"""Storing validated telemetry: one call per batch, inside the caller's transaction.

A stored eval run is handed to the eval-run hooks the caller passes (``ctx.eval_run_hooks``),
once per run and in the same transaction: the incidents feature's hook verifies each open fix
whose verification test is one of the run's passing cases, and tells the incident channel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from opsbot.dashboard import rollups
from opsbot.dashboard.schemas import Batch, ConfidenceBatch, EvalRunIn, OutcomeBatch
from opsbot.dashboard.store import EvalCase, EvalRun
from opsbot.errors import OpsError
from opsbot.seams import EvalRunHook, EvalRunSummary

log = logging.getLogger(__name__)


class DuplicateRun(OpsError):
    """An eval run with this suite and run_id is already stored."""


def store_batch(
    session: Session, batch: Batch, *, now: datetime, eval_run_hooks: Sequence[EvalRunHook]
) -> dict[str, Any]:
    """Store one validated batch and its rollups; returns the API's answer body."""
    if isinstance(batch, ConfidenceBatch):
        rollups.add_confidence(session, batch.records, received_at=now)
        return {"stored": len(batch.records), "kind": "confidence"}
    if isinstance(batch, OutcomeBatch):
        rollups.add_outcomes(session, batch.records)
        return {"stored": len(batch.records), "kind": "outcome"}
    return store_eval_run(session, batch, now=now, hooks=eval_run_hooks)


def store_eval_run(
    session: Session, run: EvalRunIn, *, now: datetime, hooks: Sequence[EvalRunHook]
) -> dict[str, Any]:
    """Store a run and its cases, then hand its summary to each hook (one call per run)."""
    row = EvalRun(
        suite=run.suite,
        tag=run.tag,
        run_id=run.run_id,
        at=run.at.astimezone(UTC),
        cases_total=len(run.cases),
        cases_passed=sum(case.passed for case in run.cases),
        received_at=now,
    )
    session.add(row)
    try:  # written before anything is read, so SQLite takes its write lock first
        session.flush()
    except IntegrityError:
        raise DuplicateRun(
            f'Run "{run.run_id}" of suite "{run.suite}" is already stored.',
            hint="Give each run its own run_id, or retry with the same "
            "Idempotency-Key to get the first answer back.",
        ) from None
    if run.cases:
        session.connection().execute(
            insert(EvalCase.__table__),  # type: ignore[attr-defined]
            [
                {
                    "eval_run_id": row.id,
                    "case_id": case.id,
                    "passed": case.passed,
                    "score": case.score,
                }
                for case in run.cases
            ],
        )
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
