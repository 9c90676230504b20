"""The pure schedule rules: cron and every-N-weeks times across DST and year ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger
from apscheduler.triggers.cron import CronTrigger

from opsbot.config import load_config
from opsbot.schedules import (
    CronSchedule,
    EveryWeeksSchedule,
    next_occurrence,
    occurrence_key,
    occurrences_between,
    trigger_for,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_weekday_cron_stays_at_local_nine_across_london_spring_forward() -> None:
    """09:00 Europe/London stays 09:00 local across the March change while its UTC hour moves."""
    schedule = CronSchedule(cron="0 9 * * mon-fri", timezone="Europe/London")
    times = occurrences_between(schedule, utc(2026, 3, 26), utc(2026, 4, 1))  # Thu to Tue
    assert [t.astimezone(LONDON).hour for t in times] == [9, 9, 9, 9]
    assert [t.hour for t in times] == [9, 9, 8, 8]  # BST from Sunday 29 March
    assert all(t.tzinfo is UTC for t in times)


def test_weekday_cron_stays_at_local_nine_across_new_york_fall_back() -> None:
    """09:00 America/New_York stays 09:00 local across the November change (UTC 13:00 → 14:00)."""
    schedule = CronSchedule(cron="0 9 * * mon-fri", timezone="America/New_York")
    times = occurrences_between(schedule, utc(2026, 10, 29), utc(2026, 11, 4))  # Thu to Tue
    assert [t.astimezone(NEW_YORK).hour for t in times] == [9, 9, 9, 9]
    assert [t.hour for t in times] == [13, 13, 14, 14]  # EST from Sunday 1 November


def test_weekday_cron_never_fires_on_a_weekend() -> None:
    """A mon-fri cron yields five times a week and none on Saturday or Sunday, for a year."""
    schedule = CronSchedule(cron="0 9 * * mon-fri", timezone="Europe/London")
    times = occurrences_between(schedule, utc(2026, 1, 5), utc(2027, 1, 4))
    assert len(times) == 52 * 5
    assert {t.astimezone(LONDON).isoweekday() for t in times} == {1, 2, 3, 4, 5}


def test_numeric_weekdays_follow_crontab_not_apscheduler() -> None:
    """``1-5`` is Monday to Friday and ``0``/``7`` Sunday, as in crontab (APScheduler 3 differs)."""
    weekdays = CronSchedule(cron="0 9 * * 1-5", timezone="UTC")
    sundays = CronSchedule(cron="0 9 * * 0,7", timezone="UTC")
    week = (utc(2026, 6, 1), utc(2026, 6, 8))  # Monday to Monday
    assert [t.isoweekday() for t in occurrences_between(weekdays, *week)] == [1, 2, 3, 4, 5]
    assert [t.isoweekday() for t in occurrences_between(sundays, *week)] == [7]


def test_biweekly_keeps_local_time_and_parity_across_dst() -> None:
    """Fortnightly 10:00 London stays 10:00 local and exactly 14 local days apart over DST."""
    schedule = EveryWeeksSchedule(
        every_weeks=2, anchor=date(2026, 3, 16), at="10:00", timezone="Europe/London"
    )
    times = occurrences_between(schedule, utc(2026, 3, 1), utc(2026, 4, 20))
    local = [t.astimezone(LONDON) for t in times]
    assert [d.date() for d in local] == [date(2026, 3, 16), date(2026, 3, 30), date(2026, 4, 13)]
    assert {d.time().isoformat() for d in local} == {"10:00:00"}
    assert times[1] - times[0] == timedelta(weeks=2, hours=-1)  # the clocks went forward


def test_biweekly_stays_two_weeks_apart_across_a_53_week_year_end() -> None:
    """Across 2026's ISO week 53, fortnightly times stay 14 days apart (``week='*/2'`` won't)."""
    schedule = EveryWeeksSchedule(every_weeks=2, anchor=date(2026, 1, 5), at="10:00")
    times = occurrences_between(schedule, utc(2026, 11, 1), utc(2027, 3, 1))
    assert date(2026, 12, 28).isocalendar().week == 53
    gaps = {later - earlier for earlier, later in pairwise(times)}
    assert gaps == {timedelta(weeks=2)}
    assert all(t.isoweekday() == 1 and t.hour == 10 for t in times)
    # ISO weeks 52 and 1 are fortnightly neighbours here, with week 53 in between.
    assert utc(2026, 12, 21, 10) in times and utc(2027, 1, 4, 10) in times


def test_biweekly_first_occurrence_is_the_anchor() -> None:
    """Nothing is scheduled before the anchor date, and the anchor itself is the first time."""
    schedule = EveryWeeksSchedule(every_weeks=2, anchor=date(2026, 12, 7), at="10:00")
    assert occurrences_between(schedule, utc(2026, 1, 1), utc(2026, 12, 7)) == []
    assert next_occurrence(schedule, utc(2026, 1, 1)) == utc(2026, 12, 7, 10)


def test_biweekly_far_from_its_anchor_keeps_parity() -> None:
    """Years after the anchor, fortnightly times still fall on the anchor's parity."""
    anchor = date(2026, 1, 5)
    schedule = EveryWeeksSchedule(every_weeks=2, anchor=anchor, at="10:00", timezone="UTC")
    times = occurrences_between(schedule, utc(2031, 6, 1), utc(2031, 8, 1))
    assert times
    assert all((t.date() - anchor).days % 14 == 0 for t in times)


def test_next_occurrence_is_strictly_after() -> None:
    """An occurrence exactly at ``after`` is not returned again; the next one is."""
    schedule = CronSchedule(cron="0 9 * * *", timezone="UTC")
    assert next_occurrence(schedule, utc(2026, 6, 1, 9)) == utc(2026, 6, 2, 9)
    assert next_occurrence(schedule, utc(2026, 6, 1, 8, 59)) == utc(2026, 6, 1, 9)


def test_occurrences_between_is_half_open() -> None:
    """``start`` is included and ``end`` is excluded."""
    schedule = CronSchedule(cron="0 9 * * *", timezone="UTC")
    assert occurrences_between(schedule, utc(2026, 6, 1, 9), utc(2026, 6, 3, 9)) == [
        utc(2026, 6, 1, 9),
        utc(2026, 6, 2, 9),
    ]


def test_first_thursday_cron_fires_once_a_month() -> None:
    """``0 16 1-7 * thu`` (the default retro) fires on each month's first Thursday only."""
    retro = next(r for r in load_config(None).rituals if r.key == "monthly-operating-retro")
    times = occurrences_between(retro.schedule, utc(2026, 1, 1), utc(2027, 1, 1))
    assert len(times) == 12
    assert all(t.isoweekday() == 4 and t.day <= 7 and t.hour == 16 for t in times)


def test_trigger_for_uses_the_right_apscheduler_trigger() -> None:
    """Cron schedules get a CronTrigger, every-N-weeks a CalendarIntervalTrigger, both zoned."""
    cron = trigger_for(CronSchedule(cron="0 9 * * mon-fri", timezone="Europe/London"))
    weeks = trigger_for(
        EveryWeeksSchedule(every_weeks=2, anchor=date(2026, 1, 5), at="10:30", timezone="UTC")
    )
    assert isinstance(cron, CronTrigger) and cron.timezone == LONDON
    assert isinstance(weeks, CalendarIntervalTrigger) and weeks.weeks == 2


def test_occurrence_key_is_stable_utc() -> None:
    """The same instant gives the same key whatever zone it is expressed in."""
    at = datetime(2026, 3, 30, 9, tzinfo=LONDON)
    assert (
        occurrence_key("daily-exception-triage", at)
        == "daily-exception-triage@2026-03-30T08:00:00Z"
    )
    assert occurrence_key("x", at) == occurrence_key("x", at.astimezone(UTC))


def test_naive_datetimes_are_refused() -> None:
    """Naive datetimes are a programming error, never silently read as local or UTC."""
    schedule = CronSchedule(cron="0 9 * * *", timezone="UTC")
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences_between(schedule, datetime(2026, 1, 1), utc(2026, 2, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrence_key("x", datetime(2026, 1, 1))


def test_a_biweekly_trigger_first_fires_after_now_not_at_its_old_anchor() -> None:
    """The scheduler starts a two-weekly ritual at its next date, never at a past anchor."""
    from opsbot.scheduler import first_fire_time

    trigger = CalendarIntervalTrigger(
        weeks=2, hour=10, start_date=date(2026, 1, 5), timezone="Europe/London"
    )
    now = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    first = first_fire_time(trigger, now)
    assert first is not None and first >= now
    # 2026-11-23 was a fire date (46 weeks after the anchor); the next is two weeks on
    assert first.astimezone(UTC) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
