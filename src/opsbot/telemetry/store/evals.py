"""Eval runs and their cases: storing a run, and the reads the dashboard and incidents make."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from opsbot.telemetry.schemas import EvalRunIn
from opsbot.telemetry.store.tables import EvalCase, EvalRun


@dataclass(frozen=True)
class CaseResult:
    """One eval case's result in one run."""

    case_id: str
    passed: bool
    at: datetime  # when the run ran (as reported)
    suite: str
    run_id: str


def add_eval_run(session: Session, run: EvalRunIn, *, received_at: datetime) -> EvalRun:
    """Store a run and its cases; a run whose (suite, run_id) is taken raises IntegrityError
    at once, before anything is read (so SQLite takes its write lock first)."""
    row = EvalRun(
        suite=run.suite,
        tag=run.tag,
        run_id=run.run_id,
        at=run.at.astimezone(UTC),
        cases_total=len(run.cases),
        cases_passed=sum(case.passed for case in run.cases),
        received_at=received_at,
    )
    session.add(row)
    session.flush()
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
    return row


def suites(session: Session) -> list[str]:
    """Every suite with a stored run, sorted."""
    return sorted(session.exec(select(EvalRun.suite).distinct()).all())


def latest_runs(session: Session, *, suite: str, limit: int) -> Sequence[EvalRun]:
    """The newest ``limit`` runs of a suite (by run time, then by arrival), newest first."""
    return session.exec(
        select(EvalRun)
        .where(EvalRun.suite == suite)
        .order_by(col(EvalRun.at).desc(), col(EvalRun.id).desc())
        .limit(limit)
    ).all()


def runs_between(session: Session, start: datetime, end: datetime) -> Sequence[EvalRun]:
    """Every run that ran in [start, end)."""
    return session.exec(
        select(EvalRun).where(col(EvalRun.at) >= start, col(EvalRun.at) < end)
    ).all()


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


def pass_totals(
    session: Session, *, tags: Collection[str], start: datetime, end: datetime
) -> dict[str, tuple[int, int]]:
    """Per tag (the version an eval run evaluated), (cases, cases passed) of the runs that ran
    in [start, end)."""
    rows = session.exec(
        select(EvalRun.tag, func.sum(EvalRun.cases_total), func.sum(EvalRun.cases_passed))
        .where(col(EvalRun.tag).in_(list(tags)))
        .where(col(EvalRun.at) >= start, col(EvalRun.at) < end)
        .group_by(EvalRun.tag)
    ).all()
    found = {tag: (0, 0) for tag in tags}
    for tag, cases, passed in rows:
        found[tag] = (int(cases or 0), int(passed or 0))
    return found
