"""`opsbot export incidents`: every incident, its timeline, RCA, fixes and postmortem as JSON."""

from __future__ import annotations

import argparse
import json
import sys


def cmd_export_incidents(_: argparse.Namespace) -> int:
    from opsbot.db import make_engine, transaction
    from opsbot.incidents.closing import export
    from opsbot.settings import load_settings

    engine = make_engine(load_settings().database_url)
    try:
        with transaction(engine) as session:
            rows = export(session)
    finally:
        engine.dispose()
    json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def add_export(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]  # generic only in typeshed
    """Adds `export incidents` (reusing an `export` parser another feature added first)."""
    export = sub.choices.get("export") or sub.add_parser("export", help="export data as JSON")
    what = next((a for a in export._actions if isinstance(a, argparse._SubParsersAction)), None)
    if what is None:
        what = export.add_subparsers(dest="export_what", required=True)
    what.add_parser(
        "incidents", help="incidents with timeline, RCA, fixes and postmortems"
    ).set_defaults(func=cmd_export_incidents)
