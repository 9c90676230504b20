"""Feature subcommands of `opsbot` (tokens, ingest, export), each adding its own parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from opsbot.dashboard.cli import extend as dashboard_commands
from opsbot.incidents.cli import add_export as incidents_export

Extension = Callable[[argparse._SubParsersAction], None]

EXTENSIONS: list[Extension] = [incidents_export, dashboard_commands]
