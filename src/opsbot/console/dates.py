"""Slack's date tokens (`<!date^…>` in mrkdwn, the rich_text date element) as the Slack client
shows them, in this terminal's time zone."""

from __future__ import annotations

import re
import time
from datetime import date, datetime

_TOKEN = re.compile(r"\{([a-z_]+)\}")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _relative_day(day: date, today: date) -> str | None:
    return {0: "today", -1: "yesterday", 1: "tomorrow"}.get((day - today).days)


def ago(seconds: int) -> str:
    """A period as the `{ago}` token reads: "3 minutes ago", "in 2 hours"."""
    later, seconds = seconds < 0, abs(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size or unit == "second":
            count = seconds // size
            spoken = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {spoken}" if later else f"{spoken} ago"
    raise AssertionError("unreachable")


def slack_date(epoch: int, form: str, *, now: float | None = None) -> str:
    """``form`` with each of Slack's tokens replaced; unknown tokens are left as they are."""
    now = time.time() if now is None else now
    when = datetime.fromtimestamp(epoch)
    today = datetime.fromtimestamp(now).date()
    long = f"{when:%A}, {when:%B} {_ordinal(when.day)}, {when.year}"
    plain = f"{when:%B} {_ordinal(when.day)}, {when.year}"
    short = f"{when:%b} {when.day}, {when.year}"
    pretty = _relative_day(when.date(), today)
    this_year = f"{when:%A}, {when:%B} {_ordinal(when.day)}"
    divider = pretty or (this_year if when.year == today.year else long)
    tokens = {
        "date_num": f"{when:%Y-%m-%d}",
        "date_slash": f"{when:%d/%m/%Y}",
        "date": plain,
        "date_short": short,
        "date_long": long,
        "date_long_full": f"{when:%B} {when.day}, {when.year}",
        "date_pretty": pretty or plain,
        "date_short_pretty": pretty or short,
        "date_long_pretty": pretty or long,
        "day_divider_pretty": divider,
        "time": f"{when:%H:%M}",
        "time_secs": f"{when:%H:%M:%S}",
        "ago": ago(int(now) - epoch),
    }
    return _TOKEN.sub(lambda m: tokens.get(m.group(1), m.group(0)), form)


__all__ = ["ago", "slack_date"]
