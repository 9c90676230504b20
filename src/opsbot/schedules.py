"""When recurring things happen (rituals, and any domain that meets on a schedule): the two
schedule forms of the configuration, their APScheduler triggers, and occurrence times.

A cron is read as standard five-field crontab, with one correction: APScheduler 3.x numbers
weekdays from Monday = 0, so numeric weekdays are translated to names first (``1-5`` is Monday to
Friday, as in crontab). One APScheduler rule is kept: when both the day-of-month and the weekday
fields are restricted, a time must match both (crontab fires when either matches), which is how
``0 16 1-7 * thu`` means "the first Thursday of the month".
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger
from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

CRON_FIELDS = "minute hour day month weekday"
_TRIGGER_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering, Sun = 0
_WEEKDAY_ITEM = re.compile(r"^(?P<first>\*|\w+)(?:-(?P<last>\w+))?(?:/(?P<step>\d+))?$")
_AT = re.compile(r"^(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)$")


def problem(message: str) -> PydanticCustomError:
    """A validation error whose text is exactly ``message`` (braces in user input are safe)."""
    return PydanticCustomError("opsbot", "{problem}", {"problem": message})


def _timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, _zone_names(), n=1)
        hint = f"did you mean {close[0]}?" if close else "like Europe/London or America/New_York"
        raise problem(f'"{value}" is not an IANA time zone; {hint}') from None
    return value


@cache
def _zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


TimeZoneName = Annotated[str, AfterValidator(_timezone)]


class CronSchedule(BaseModel):
    """A five-field crontab schedule, in ``timezone`` (None: the configuration's time zone)."""

    model_config = ConfigDict(extra="forbid")

    cron: str
    timezone: TimeZoneName | None = None

    @field_validator("cron")
    @classmethod
    def _cron_is_valid(cls, value: str) -> str:
        try:
            cron_trigger(value, "UTC")
        except ValueError as exc:
            raise problem(str(exc)) from None
        return value


class EveryWeeksSchedule(BaseModel):
    """Every ``every_weeks`` weeks from ``anchor`` (the first occurrence), at local time ``at``."""

    model_config = ConfigDict(extra="forbid")

    every_weeks: int = Field(ge=1, le=52)
    anchor: date
    at: str
    timezone: TimeZoneName | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _at_is_a_time(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads an unquoted 10:00 as the base-60 integer 600.
            raise problem(f'{value} is not a time of day; quote it, like at: "10:00"')
        if not isinstance(value, str) or not _AT.match(value):
            raise problem(f'"{value}" is not a time of day; write it as "HH:MM", like "10:00"')
        return value

    @property
    def hour(self) -> int:
        return int(self.at[:2])

    @property
    def minute(self) -> int:
        return int(self.at[3:])


def _schedule_form(value: Any) -> str | None:
    if isinstance(value, dict):
        return "cron-form" if "cron" in value else "every-weeks-form"
    if isinstance(value, CronSchedule):
        return "cron-form"
    if isinstance(value, EveryWeeksSchedule):
        return "every-weeks-form"
    return None


Schedule = Annotated[
    Annotated[CronSchedule, Tag("cron-form")]
    | Annotated[EveryWeeksSchedule, Tag("every-weeks-form")],
    Discriminator(_schedule_form),
]


def check_one_form(value: Any) -> Any:
    """Refuse a raw schedule that gives both forms, or neither, before either is validated."""
    if not isinstance(value, dict):
        return value
    has_cron, has_weeks = "cron" in value, "every_weeks" in value
    if has_cron and has_weeks:
        raise problem('give either cron: "…" or every_weeks: N (with anchor and at), not both')
    if not has_cron and not has_weeks:
        raise problem(
            'needs a cron: "0 9 * * mon-fri" or every_weeks: N '
            'with anchor: YYYY-MM-DD and at: "HH:MM"'
        )
    return value


def _weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday, names allowed) as APScheduler weekday names."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.lower().split(","):
        match = _WEEKDAY_ITEM.match(item)
        if not match:
            raise ValueError(f'weekday "{item}" is not a day (0-7 or sun-sat)')
        step = int(match["step"] or 1)
        if match["first"] == "*":
            first, last = 0, 6
        else:
            first = _weekday_number(match["first"])
            last = _weekday_number(match["last"]) if match["last"] else first
            if match["step"] and not match["last"]:
                last = 6
        if last < first:
            raise ValueError(f'weekday range "{item}" runs backwards; list the days instead')
        if step < 1:
            raise ValueError(f'weekday step in "{item}" must be at least 1')
        days.update(day % 7 for day in range(first, last + 1, step))
    ordered = sorted(days, key=lambda day: (day + 6) % 7)  # Monday first, as APScheduler counts
    return ",".join(_WEEKDAY_NAMES[day] for day in ordered)


def _weekday_number(token: str) -> int:
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token in _WEEKDAY_NAMES:
        return _WEEKDAY_NAMES.index(token)
    raise ValueError(f'weekday "{token}" is not a day (0-7 or sun-sat)')


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """The trigger for a five-field crontab; ValueError (one sentence) if it is not one."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f'"{expr}" has {len(fields)} field{"" if len(fields) == 1 else "s"}; '
            f"a cron needs 5 ({CRON_FIELDS})"
        )
    values: dict[str, str] = {}
    for label, name, value in zip(CRON_FIELDS.split(), _TRIGGER_FIELDS, fields, strict=True):
        try:
            values[name] = _weekdays(value) if name == "day_of_week" else value
            CronTrigger(**{name: values[name]}, timezone=UTC)
        except ValueError as exc:
            reason = str(exc).removeprefix(f"Error validating expression '{values.get(name)}': ")
            raise ValueError(f'"{expr}" has a bad {label} field "{value}": {reason}') from None
    trigger = CronTrigger(**values, timezone=ZoneInfo(timezone))
    if trigger.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=UTC)) is None:
        raise ValueError(f'"{expr}" never fires (no date matches every field)')
    return trigger


def trigger_for(schedule: CronSchedule | EveryWeeksSchedule) -> BaseTrigger:
    """The APScheduler trigger firing at a schedule's local wall-clock times, DST included.

    Every-N-weeks uses CalendarIntervalTrigger anchored on ``anchor``: ``week='*/2'`` fires two
    weeks running across a 53-week year's end, and IntervalTrigger drifts an hour across DST.
    """
    timezone = schedule.timezone or "UTC"
    if isinstance(schedule, CronSchedule):
        return cron_trigger(schedule.cron, timezone)
    return CalendarIntervalTrigger(
        weeks=schedule.every_weeks,
        hour=schedule.hour,
        minute=schedule.minute,
        start_date=schedule.anchor,
        timezone=ZoneInfo(timezone),
    )


def _fire_times(schedule: CronSchedule | EveryWeeksSchedule, since: datetime) -> Iterator[datetime]:
    """Scheduled times at or after ``since``, in order, as aware UTC."""
    _require_aware(since, "since")
    trigger = trigger_for(schedule)
    previous: datetime | None = None
    if isinstance(schedule, EveryWeeksSchedule):
        # The calendar trigger counts from its anchor whatever ``now`` is; start a period early.
        period = timedelta(weeks=schedule.every_weeks)
        whole_periods = (since.astimezone(trigger.timezone).date() - schedule.anchor) // period - 1
        if whole_periods > 0:
            day = schedule.anchor + whole_periods * period
            previous = datetime(day.year, day.month, day.day, tzinfo=trigger.timezone)
    fire = trigger.get_next_fire_time(previous, since)
    while fire is not None:
        if fire >= since:
            yield fire.astimezone(UTC)
        fire = trigger.get_next_fire_time(fire, fire)


def occurrences_between(
    schedule: CronSchedule | EveryWeeksSchedule, start: datetime, end: datetime
) -> list[datetime]:
    """The scheduled times in ``[start, end)``, as aware UTC datetimes in order."""
    _require_aware(end, "end")
    found = []
    for fire in _fire_times(schedule, start):
        if fire >= end:
            break
        found.append(fire)
    return found


def next_occurrence(
    schedule: CronSchedule | EveryWeeksSchedule, after: datetime
) -> datetime | None:
    """The first scheduled time strictly after ``after`` (aware UTC), or None if none is left."""
    return next(_fire_times(schedule, after + timedelta(microseconds=1)), None)


def occurrence_key(ritual_key: str, scheduled_at: datetime) -> str:
    """The unique key of one occurrence, like ``daily-exception-triage@2026-03-30T08:00:00Z``."""
    _require_aware(scheduled_at, "scheduled_at")
    return f"{ritual_key}@{scheduled_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


__all__ = [
    "CronSchedule",
    "EveryWeeksSchedule",
    "Schedule",
    "TimeZoneName",
    "check_one_form",
    "cron_trigger",
    "next_occurrence",
    "occurrence_key",
    "occurrences_between",
    "trigger_for",
]
