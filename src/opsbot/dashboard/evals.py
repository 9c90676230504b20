"""Eval results as other features may read them: the latest result of named eval cases."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from opsbot.dashboard.store import EvalCase, EvalRun


@dataclass(frozen=True)
class CaseResult:
    """One eval case's result in one run."""

    case_id: str
    passed: bool
    at: datetime  # when the run ran (as reported)
    suite: str
    run_id: str


def latest_results(session: Session, *, case_ids: Collection[str]) -> dict[str, CaseResult]:
    """The most recent result of each of ``case_ids`` (by run time, across suites); a case
    that failed and passed in runs reported for the same instant counts as failed."""
    if not case_ids:
        return {}
    ids = sorted(set(case_ids))
    latest = (
        select(EvalCase.case_id, func.max(EvalRun.at).label("at"))
        .join(EvalRun, col(EvalRun.id) == EvalCase.eval_run_id)
        .where(col(EvalCase.case_id).in_(ids))
        .group_by(col(EvalCase.case_id))
        .subquery()
    )
    rows = session.exec(
        select(EvalCase, EvalRun)
        .join(EvalRun, col(EvalRun.id) == EvalCase.eval_run_id)
        .join(latest, (latest.c.case_id == EvalCase.case_id) & (latest.c.at == EvalRun.at))
        .order_by(col(EvalCase.passed).desc())  # a failure at the same instant comes last, wins
    ).all()
    return {
        case.case_id: CaseResult(case.case_id, case.passed, run.at, run.suite, run.run_id)
        for case, run in rows
    }
