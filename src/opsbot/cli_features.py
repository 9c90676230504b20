"""Feature subcommands of `opsbot` (tokens, ingest, export), each adding its own parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Extension = Callable[[argparse._SubParsersAction], None]

EXTENSIONS: list[Extension] = []
