"""Feature subcommands of `opsbot` (tokens, ingest, export), each adding its own parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from opsbot.context import Context
from opsbot.incidents.cli import add_export as incidents_export
from opsbot.telemetry.cli import extend as telemetry_extend

Extension = Callable[[argparse._SubParsersAction], None]


def _contribute(ctx: Context) -> None:
    """Every feature's Slack-free wiring, imported only when a command needs it."""
    from opsbot import features

    features.contribute(ctx)


def telemetry_commands(sub: argparse._SubParsersAction) -> None:
    telemetry_extend(sub, wire=_contribute)


EXTENSIONS: list[Extension] = [incidents_export, telemetry_commands]
