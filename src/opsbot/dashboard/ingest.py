"""Storing validated telemetry: one call per batch, inside the caller's transaction.

An eval run whose passing case is a fix's verification test verifies that fix (the incidents
feature tells the incident channel), in the same transaction as the run itself.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from opsbot.dashboard import rollups
from opsbot.dashboard.schemas import Batch, ConfidenceBatch, EvalRunIn, OutcomeBatch
from opsbot.dashboard.store import EvalCase, EvalRun
from opsbot.errors import OpsError

log = logging.getLogger(__name__)


class DuplicateRun(OpsError):
    """An eval run with this suite and run_id is already stored."""


def store_batch(session: Session, batch: Batch, *, now: datetime) -> dict[str, Any]:
    """Store one validated batch and its rollups; returns the API's answer body."""
    if isinstance(batch, ConfidenceBatch):
        rollups.add_confidence(session, batch.records, received_at=now)
        return {"stored": len(batch.records), "kind": "confidence"}
    if isinstance(batch, OutcomeBatch):
        rollups.add_outcomes(session, batch.records)
        return {"stored": len(batch.records), "kind": "outcome"}
    return store_eval_run(session, batch, now=now)


def store_eval_run(session: Session, run: EvalRunIn, *, now: datetime) -> dict[str, Any]:
    """Store a run and its cases; each passing case verifies the open fixes tested by it."""
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
    verified = []
    verify = fix_verifier()
    if verify is not None:
        passed = dict.fromkeys(case.id for case in run.cases if case.passed)
        for test_id in passed:
            for fix in verify(session, test_id=test_id, run_ref=run.run_id, at=now):
                verified.append(
                    {
                        "incident": getattr(fix, "incident_id", None),
                        "fix": getattr(fix, "number", None),
                        "test": test_id,
                    }
                )
    return {
        "stored": 1,
        "kind": "eval-run",
        "suite": run.suite,
        "run_id": run.run_id,
        "cases": row.cases_total,
        "passed": row.cases_passed,
        "verified_fixes": verified,
    }


def fix_verifier() -> Callable[..., list[Any]] | None:
    """The incidents feature's `verify_fixes_by_test`, looked up lazily (None without it)."""
    for module in ("opsbot.incidents", "opsbot.incidents.remediation", "opsbot.incidents.service"):
        try:
            found = getattr(importlib.import_module(module), "verify_fixes_by_test", None)
        except ImportError:
            continue
        if callable(found):
            return found
    return None
