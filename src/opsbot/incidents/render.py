"""Jinja2 templates for incidents: customer-update drafts and the postmortem (plain text)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "–"


def _oneline(value: str) -> str:
    return " ".join(str(value).split())


def _cell(value: str) -> str:
    """Text safe inside a Markdown table cell: one line, `|` escaped."""
    return _oneline(value).replace("|", "\\|")


@cache
def environment() -> Environment:
    # Output is plain text or Markdown, never HTML, and it is escaped for mrkdwn where it is
    # placed in a message; HTML autoescape would only garble it.
    env = Environment(
        loader=PackageLoader("opsbot", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(iso=_iso, oneline=_oneline, cell=_cell)
    return env


def render(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)
