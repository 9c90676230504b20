"""`opsbot token create|revoke|list` and `opsbot ingest FILE.jsonl`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from opsbot.clock import TimeWindow, utcnow
from opsbot.context import Context
from opsbot.db import transaction
from opsbot.errors import OpsError
from opsbot.seams import EvalRunHook
from opsbot.telemetry import store, tokens
from opsbot.telemetry.ingest import store_eval_run
from opsbot.telemetry.schemas import (
    MAX_PROBLEMS,
    MAX_RECORDS,
    RECORD_MODELS,
    problems,
    validation_context,
)

# Fills a bare Context (no Slack app) with what the features hand one another: the composition
# root's `opsbot.features.contribute`, so that `opsbot ingest` runs the eval-run and
# after-ingest hooks too.
Wiring = Callable[[Context], None]


def _engine() -> tuple[Engine, Any]:
    from opsbot.db import make_engine, upgrade
    from opsbot.settings import load_settings

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, settings


def cmd_token_create(args: argparse.Namespace) -> int:
    engine, _ = _engine()
    try:
        with transaction(engine) as session:
            token = tokens.create(
                session, name=args.name, scopes=list(args.scope or []), now=utcnow()
            )
    finally:
        engine.dispose()
    scopes = ", ".join(s for s in tokens.SCOPES if s in (args.scope or []))
    print(f'Token "{args.name}" created with scope(s): {scopes}.')
    print(
        "It is shown this once and stored only as a hash; send it as "
        "'Authorization: Bearer <token>'."
    )
    print(token)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    engine, _ = _engine()
    try:
        with transaction(engine) as session:
            tokens.revoke(session, name=args.name, now=utcnow())
    finally:
        engine.dispose()
    print(f'Token "{args.name}" is revoked; requests carrying it now get 401.')
    return 0


def cmd_token_list(_: argparse.Namespace) -> int:
    engine, _ = _engine()
    try:
        with transaction(engine) as session:
            rows = tokens.listed(session)
    finally:
        engine.dispose()
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        print(f"{row.name}\t{row.scopes}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t{state}")
    return 0


@dataclass
class IngestReport:
    """What a file held: counts stored per kind, or the problems found (then nothing stored)."""

    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in RECORD_MODELS})
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    verified: list[dict[str, Any]] = field(default_factory=list)


def _lines(handle: TextIO) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            yield number, line


def ingest_file(
    session: Session,
    handle: TextIO,
    *,
    now: Any,
    eval_run_hooks: Sequence[EvalRunHook],
    window: TimeWindow | None = None,
) -> IngestReport:
    """Validate every line and store them all in ``session``'s transaction, or report why not.

    Storing stops at the first bad line, but checking goes on, so every problem is reported.
    Each eval run is handed to ``eval_run_hooks`` as it is stored; record times outside
    ``window`` are problems.
    """
    context = validation_context(window) if window is not None else None
    report = IngestReport()
    pending: dict[str, list[Any]] = {"confidence": [], "outcome": []}

    def problem(number: int, text: str) -> None:
        report.problem_count += 1
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(f"line {number}: {text}")

    def flush(kind: str) -> None:
        if report.problem_count or not pending[kind]:
            pending[kind].clear()
            return
        if kind == "confidence":
            store.add_confidence(session, pending[kind], received_at=now)
        else:
            store.add_outcomes(session, pending[kind])
        pending[kind].clear()

    for number, line in _lines(handle):
        try:
            data = json.loads(line)
        except ValueError:
            problem(number, "not valid JSON")
            continue
        kind = data.pop("kind", None) if isinstance(data, dict) else None
        if kind not in RECORD_MODELS:
            problem(number, f"kind: must be one of {', '.join(RECORD_MODELS)}")
            continue
        try:
            record = RECORD_MODELS[kind].model_validate(data, context=context)
        except ValidationError as exc:
            for found in problems(exc):
                problem(number, f"{found['at']}: {found['problem']}")
            continue
        report.counts[kind] += 1
        if report.problem_count:
            continue
        if kind == "eval-run":
            answer = store_eval_run(
                session,
                record,  # type: ignore[arg-type]
                now=now,
                hooks=eval_run_hooks,
            )
            report.verified.extend(answer["verified_fixes"])
            continue
        pending[kind].append(record)
        if len(pending[kind]) >= MAX_RECORDS:
            flush(kind)
    for kind in pending:
        flush(kind)
    return report


def cmd_ingest(args: argparse.Namespace, wire: Wiring) -> int:
    from opsbot.config import load_config

    engine, settings = _engine()
    config = load_config(settings.config_path)
    ctx = Context(engine=engine, config=config, settings=settings)
    wire(ctx)
    path = Path(args.file)
    if not path.is_file():
        raise OpsError(f"{path}: no such file", hint="Give a JSONL file, one record per line.")
    try:
        with open(path, encoding="utf-8") as handle, transaction(engine) as session:
            now = utcnow()
            report = ingest_file(
                session,
                handle,
                now=now,
                eval_run_hooks=ctx.eval_run_hooks,
                window=config.ingest.around(now),
            )
            if report.problem_count:
                session.rollback()
        if report.problem_count:
            for line in report.problems:
                print(f"{path}: {line}", file=sys.stderr)
            more = report.problem_count - len(report.problems)
            if more:
                print(f"{path}: … and {more} more problems", file=sys.stderr)
            print(
                f"{path}: nothing was stored; fix the lines above and run again.", file=sys.stderr
            )
            return 1
        notes = [line for hook in ctx.after_ingest for line in hook()]
    finally:
        engine.dispose()
    counts = report.counts
    print(
        f"Stored {counts['confidence']} confidence scores, {counts['outcome']} outcomes and "
        f"{counts['eval-run']} eval runs from {path}."
    )
    for fix in report.verified:
        print(f"Verified fix {fix['fix']} of incident {fix['incident']} (test {fix['test']}).")
    for line in notes:
        print(line)
    return 0


def extend(sub: argparse._SubParsersAction, *, wire: Wiring) -> None:
    """Add `token` and `ingest` to the `opsbot` command line; `ingest` runs ``wire`` first."""
    token = sub.add_parser("token", help="API tokens for the ingest API")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="make a token (printed once, last line)")
    create.add_argument("--name", required=True, help="a name to revoke it by, e.g. ci-evals")
    create.add_argument(
        "--scope",
        action="append",
        choices=tokens.SCOPES,
        help="ingest (POST telemetry) or read (GET the dashboard); repeatable",
    )
    create.set_defaults(func=cmd_token_create)
    revoke = token_sub.add_parser("revoke", help="end a token now")
    revoke.add_argument("name")
    revoke.set_defaults(func=cmd_token_revoke)
    token_sub.add_parser("list", help="list tokens (never their values)").set_defaults(
        func=cmd_token_list
    )
    ingest = sub.add_parser("ingest", help="store telemetry from a JSONL file (no HTTP)")
    ingest.add_argument(
        "file", help="one JSON object per line, with kind: eval-run, confidence or outcome"
    )
    ingest.set_defaults(func=lambda args: cmd_ingest(args, wire))
