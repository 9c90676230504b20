"""`ingest <file>` at the console: telemetry into the console's own database, as `opsbot ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def ingest_into(ctx: Any, path: str) -> list[str]:
    """Store a JSONL file of records with the running bot, then run the after-ingest hooks
    (the dashboard's act-check)."""
    from opsbot.telemetry.cli import ingest_file

    file = Path(path)
    if not path or not file.is_file():
        return [
            f"There is no file {path!r}. Make one with "
            "`python scripts/synthetic_telemetry.py --out week.jsonl`."
        ]
    with open(file, encoding="utf-8") as handle, ctx.tx() as session:
        report = ingest_file(session, handle, now=ctx.clock(), eval_run_hooks=ctx.eval_run_hooks)
        if report.problem_count:
            session.rollback()
    if report.problem_count:
        return [*report.problems, "Nothing was stored; fix those lines and try again."]
    notes = [line for hook in ctx.after_ingest for line in hook()]
    counts = report.counts
    lines = [
        f"Stored {counts['confidence']} confidence scores, {counts['outcome']} outcomes "
        f"and {counts['eval-run']} eval runs."
    ]
    lines += [
        f"Verified fix {fix['fix']} of incident {fix['incident']} (test {fix['test']})."
        for fix in report.verified
    ]
    lines += notes
    lines.append("Type `/ops dashboard` to read the numbers.")
    return lines
