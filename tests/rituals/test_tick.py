"""The tick at a given `now` posts exactly the occurrences due: DST, biweekly parity, weekdays,
and catch-up after downtime (posted late within the grace period, else recorded as missed)."""

from __future__ import annotations

from datetime import UTC, datetime

from opsbot.rituals import service, store

from .conftest import TRIAGE, bot_messages, flat

SCHEDULES = """
rituals:
  - key: london-standup
    schedule: {{cron: "0 9 * * mon-fri", timezone: Europe/London}}
    channel: ai-ops
    owners: [{alice}]
    questions: ["Anything?"]
    grace_minutes: 30
  - key: new-york-review
    schedule: {{cron: "30 16 * * 1-5", timezone: America/New_York}}
    channel: general
    owners: [{alice}]
    questions: ["Anything?"]
    grace_minutes: 30
  - key: eval-calibration
    schedule: {{every_weeks: 2, anchor: 2026-01-05, at: "10:00", timezone: Europe/London}}
    channel: general
    owners: [{alice}]
    questions: ["Anything?"]
    grace_minutes: 30
"""


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _claimed(bot) -> list[tuple[str, datetime, str]]:
    """(ritual, time, "posted" or why not) for every occurrence claimed so far."""
    with bot.ctx.tx() as session:
        rows = store.occurrences_between(session, start=_utc("2026-01-01"), end=_utc("2027-01-01"))
    return [(o.ritual_key, o.scheduled_at, "posted" if o.posted_at else o.status) for o in rows]


def test_ticks_follow_local_time_across_the_dst_change(start_bot, people, clock) -> None:
    """Across London's and New York's DST changes the occurrences land at 09:00 and 16:30
    local, posted by ticks just after those instants and by no other tick."""
    clock.move_to("2026-03-06 12:00:00")
    bot = start_bot(SCHEDULES, alice=people.alice.id)
    ticks = [
        "2026-03-06 16:30:30",  # Fri: 16:30 EST = 21:30 UTC, so nothing yet
        "2026-03-06 21:30:30",  # New York, EST
        "2026-03-09 09:00:30",  # Mon: London still GMT
        "2026-03-09 20:30:30",  # New York now EDT (since Sun 8 March)
        "2026-03-27 09:00:30",  # Fri: London GMT for the last time
        "2026-03-28 09:00:30",  # Saturday: weekdays only
        "2026-03-29 09:00:30",  # Sunday, the day London moves to BST
        "2026-03-30 08:00:30",  # Mon: 09:00 BST
    ]
    for moment in ticks:
        clock.move_to(moment)
        service.tick(bot.ctx)
    local = [
        (key, at.astimezone(_zone(key)).strftime("%a %d %H:%M"))
        for key, at, status in _claimed(bot)
        if key != "eval-calibration" and status == "posted"
    ]
    assert local == [
        ("new-york-review", "Fri 06 16:30"),
        ("london-standup", "Mon 09 09:00"),
        ("new-york-review", "Mon 09 16:30"),
        ("london-standup", "Fri 27 09:00"),
        ("london-standup", "Mon 30 09:00"),
    ]
    missed = [at for key, at, status in _claimed(bot) if status == "missed"]
    assert _utc("2026-03-10 09:00") in missed  # skipped over by a tick: recorded, not dropped


def test_biweekly_posts_every_other_week_from_its_anchor(start_bot, people, clock) -> None:
    """Eval calibration, every two weeks from Monday 5 January at 10:00 London, posts on
    16 and 30 March (10:00 GMT, then 10:00 BST) and not on the Mondays between."""
    clock.move_to("2026-03-09 08:00:00")
    bot = start_bot(SCHEDULES, alice=people.alice.id)
    for moment in (
        "2026-03-09 10:00:30",
        "2026-03-16 10:00:30",
        "2026-03-23 09:00:30",
        "2026-03-23 10:00:30",
        "2026-03-30 09:00:30",
    ):
        clock.move_to(moment)
        service.tick(bot.ctx)
    calibrations = [at for key, at, _ in _claimed(bot) if key == "eval-calibration"]
    assert calibrations == [_utc("2026-03-16 10:00"), _utc("2026-03-30 09:00")]


def _zone(key: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/New_York" if key.startswith("new-york") else "Europe/London")


def test_an_occurrence_missed_while_down_is_posted_late_within_grace(
    start_bot, people, slack, clock
) -> None:
    """Restarted 45 minutes after 09:00, opsbot posts the triage on start (marked late) without
    waiting for a tick; restarted 3 hours late it records the occurrence as missed, and the
    next triage lists it."""
    ids = {"alice": people.alice.id, "bob": people.bob.id}
    bot = start_bot(TRIAGE, scheduler=True, **ids)
    slack.wait_for(lambda: _scanned(bot))
    bot.stop()
    clock.move_to("2026-03-30 08:45:00")
    bot = start_bot(TRIAGE, scheduler=True, **ids)
    posted = slack.wait_for(lambda: bot_messages(slack, "ai-ops"), timeout=10)
    assert len(posted) == 1 and "posted late" in flat(posted[0].blocks)
    bot.stop()
    clock.move_to("2026-03-31 11:00:00")  # Tuesday 12:00 BST: 3 hours late, grace is 2
    bot = start_bot(TRIAGE, scheduler=True, **ids)
    slack.wait_for(lambda: _statuses(bot) == ["missed", "missed"], timeout=10)
    assert [s for *_, s in _claimed(bot)] == ["posted", "missed"]  # only Tuesday went unposted
    assert len(bot_messages(slack, "ai-ops")) == 1
    clock.move_to("2026-04-01 08:00:05")
    service.tick(bot.ctx)
    wednesday = slack.wait_for(lambda: bot_messages(slack, "ai-ops")[1:])[0]
    assert "daily-exception-triage of Tue 31 Mar 09:00 (opsbot was down)" in flat(wednesday.blocks)
    assert "daily-exception-triage of Mon 30 Mar 09:00 (nobody checked in)" in flat(
        wednesday.blocks
    )


def _statuses(bot) -> list[str]:
    with bot.ctx.tx() as session:
        rows = store.occurrences_between(session, start=_utc("2026-01-01"), end=_utc("2027-01-01"))
    return [o.status for o in rows]


def _scanned(bot) -> bool:
    with bot.ctx.tx() as session:
        state = session.get(store.RitualState, "daily-exception-triage")
        return state is not None and state.last_scanned_at is not None
