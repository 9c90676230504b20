"""Occurrences are posted at their local time, once, and `/ritual run|skip|list` act at once."""

from __future__ import annotations

from datetime import UTC, datetime

from opsbot.rituals import service, store

from .conftest import bot_messages, flat


def test_the_tick_at_nine_london_posts_the_triage_once(slack, triage_bot, clock) -> None:
    """At 09:00 London (08:00 UTC under BST) the tick posts one check-in message, and ticking
    again does not post it again."""
    ctx = triage_bot.ctx
    assert service.tick(ctx, datetime(2026, 3, 30, 7, 59, tzinfo=UTC)).claimed == []
    clock.move_to("2026-03-30 08:00:05")
    report = service.tick(ctx)
    assert [o.scheduled_at for o in report.claimed] == [datetime(2026, 3, 30, 8, 0, tzinfo=UTC)]
    assert service.tick(ctx).claimed == []
    posted = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))
    assert len(posted) == 1
    text = flat(posted[0].blocks)
    assert "Daily exception triage" in text
    assert "Which exceptions need a decision today?" in text
    assert "Checked in: nobody yet" in text
    assert "No open incidents." in text
    assert "Mon 30 Mar 2026 09:00 BST" in text


def test_ritual_list_shows_next_time_in_its_zone_owners_and_channel(
    slack, triage_bot, people
) -> None:
    """`/ritual list` names each ritual's next time in its own time zone, owners and channel."""
    people.carol.command("/ritual", "list", channel="general")
    reply = slack.wait_for(lambda: people.carol.ephemerals())[0].text
    assert "Daily exception triage" in reply
    assert "Mon 30 Mar 2026 09:00 BST" in reply and "Europe/London" in reply
    assert f"product-ops-lead (<@{people.alice.id}>)" in reply and f"<@{people.bob.id}>" in reply
    assert "#ai-ops" in reply


def test_ritual_run_posts_now_and_records_who_started_it(slack, triage_bot, people) -> None:
    """`/ritual run` posts an occurrence at once, says who started it, and refuses a second
    one while it is open."""
    people.carol.command("/ritual", "run daily-exception-triage", channel="general")
    posted = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))
    assert f"started by <@{people.carol.id}>" in flat(posted[0].blocks)
    with triage_bot.ctx.tx() as session:
        [occ] = store.open_occurrences(session)
        assert occ.started_by == people.carol.id
    people.carol.command("/ritual", "run daily-exception-triage", channel="general")
    refusal = slack.wait_for(lambda: people.carol.ephemerals()[1:])[0].text
    assert "already open" in refusal


def test_ritual_skip_skips_the_next_occurrence_which_is_then_never_posted(
    slack, triage_bot, people, clock
) -> None:
    """`/ritual skip` records the next scheduled occurrence as skipped, with who and why, and
    its time then passes without a check-in message."""
    people.alice.command("/ritual", "skip daily-exception-triage offsite today", channel="ai-ops")
    notice = slack.wait_for(lambda: bot_messages(slack, "ai-ops"))[0].text
    assert "skipped the next Daily exception triage" in notice and "offsite today" in notice
    clock.move_to("2026-03-30 08:00:10")
    assert service.tick(triage_bot.ctx).claimed == []
    with triage_bot.ctx.tx() as session:
        occ = store.occurrence_at(
            session, ritual_key="daily-exception-triage", at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
        )
        assert occ is not None and occ.status == store.SKIPPED
        assert (occ.skipped_by, occ.skip_reason) == (people.alice.id, "offsite today")
    assert len(bot_messages(slack, "ai-ops")) == 1


def test_ritual_owners_replaces_the_owners(slack, triage_bot, people) -> None:
    """`/ritual owners` sets new owners, recorded in the database and shown by `/ritual list`."""
    people.alice.command(
        "/ritual", f"owners daily-exception-triage <@{people.carol.id}|carol>", channel="general"
    )
    slack.wait_for(lambda: [m for m in slack.messages("general") if "set the owners" in m.text])
    with triage_bot.ctx.tx() as session:
        state = session.get(store.RitualState, "daily-exception-triage")
        assert state is not None
        assert (state.owners, state.owners_set_by) == ([people.carol.id], people.alice.id)
    people.alice.command("/ritual", "list", channel="general")
    reply = slack.wait_for(lambda: people.alice.ephemerals())[0].text
    assert f"owners: <@{people.carol.id}>" in reply


def test_unknown_ritual_key_is_refused_with_the_keys(slack, triage_bot, people) -> None:
    """`/ritual run nope` is refused, only to the typist, with the keys there are."""
    people.alice.command("/ritual", "run nope", channel="general")
    reply = slack.wait_for(lambda: people.alice.ephemerals())[0].text
    assert 'no ritual "nope"' in reply and "daily-exception-triage" in reply
    assert bot_messages(slack, "ai-ops") == []


def test_ritual_list_names_a_zone_once(slack, start_bot, people) -> None:
    """A time in UTC reads "09:00 UTC" (not "09:00 UTC (UTC)"); elsewhere the abbreviation is
    followed by the zone's name."""
    start_bot(
        'rituals:\n  - key: standup\n    schedule: {{cron: "0 9 * * *", timezone: UTC}}\n'
        '    owners: [U0ALICE001]\n    questions: ["Anything?"]\n'
        '  - key: london\n    schedule: {{cron: "0 9 * * *", timezone: Europe/London}}\n'
        '    owners: [U0ALICE001]\n    questions: ["Anything?"]\n'
    )
    people.carol.command("/ritual", "list", channel="general")
    reply = slack.wait_for(lambda: people.carol.ephemerals())[0].text
    assert "next Mon 30 Mar 2026 09:00 UTC in #ai-ops" in reply
    assert "(UTC)" not in reply
    assert "next Mon 30 Mar 2026 09:00 BST (Europe/London) in #ai-ops" in reply


def test_skip_with_an_open_occurrence_skips_it_and_unskip_opens_it_again(
    slack, triage_bot, people, clock
) -> None:
    """While an occurrence is open, `/ritual skip` skips that one (as its help says);
    `/ritual list` shows it skipped, and `/ritual unskip` opens it again with its buttons."""
    clock.move_to("2026-03-30 08:00:05")
    service.tick(triage_bot.ctx)
    slack.wait_for(lambda: bot_messages(slack, "ai-ops"))
    people.alice.command("/ritual", "skip daily-exception-triage offsite", channel="general")
    assert (
        "Skipped Daily exception triage of Mon 30 Mar 09:00 BST"
        in slack.wait_for(lambda: people.alice.ephemerals())[0].text
    )
    slack.wait_for(lambda: "Skipped by" in flat(slack.messages("ai-ops")[0].blocks))
    people.alice.command("/ritual", "list", channel="general")
    listing = slack.wait_for(lambda: people.alice.ephemerals()[1:])[0].text
    assert f"skipped by <@{people.alice.id}>: Mon 30 Mar 09:00 BST: offsite" in listing
    assert "`/ritual unskip daily-exception-triage`" in listing
    people.alice.command("/ritual", "unskip daily-exception-triage", channel="general")
    slack.wait_for(lambda: "Check in" in flat(slack.messages("ai-ops")[0].blocks))
    with triage_bot.ctx.tx() as session:
        [occ] = store.open_occurrences(session)
    assert (occ.skipped_by, occ.skip_reason) == (None, None)


def test_unskip_brings_back_the_next_skipped_occurrence(slack, triage_bot, people, clock) -> None:
    """`/ritual skip` twice skips the next two occurrences, both listed; `/ritual unskip`
    brings back the first, which is then posted at its time, while the second stays skipped."""
    for reason in ("offsite", "holiday"):
        people.alice.command("/ritual", f"skip daily-exception-triage {reason}", channel="general")
    slack.wait_for(lambda: len(people.alice.ephemerals()) == 2)
    people.alice.command("/ritual", "list", channel="general")
    listing = slack.wait_for(lambda: people.alice.ephemerals()[2:])[0].text
    assert "next Wed 01 Apr 2026 09:00 BST" in listing
    assert "Mon 30 Mar 09:00 BST: offsite" in listing and "Tue 31 Mar 09:00 BST: holiday" in listing
    people.alice.command("/ritual", "unskip daily-exception-triage", channel="general")
    reply = slack.wait_for(lambda: people.alice.ephemerals()[3:])[0].text
    assert reply == "Daily exception triage of Mon 30 Mar 09:00 BST is no longer skipped."
    clock.move_to("2026-03-30 08:00:05")
    assert len(service.tick(triage_bot.ctx).claimed) == 1
    clock.move_to("2026-03-31 08:00:05")
    assert service.tick(triage_bot.ctx).claimed == []
    people.alice.command("/ritual", "unskip daily-exception-triage", channel="general")
    people.alice.command("/ritual", "unskip daily-exception-triage", channel="general")
    last = slack.wait_for(lambda: people.alice.ephemerals()[5:])[0].text
    assert last.startswith("Nothing of Daily exception triage is skipped.")


def test_ritual_owners_takes_a_team_role(slack, triage_bot, people) -> None:
    """`/ritual owners <key> role:<role>` makes the role's holders the owners (listed as the
    role), and an unknown role is refused with the roles there are."""
    people.alice.command(
        "/ritual",
        f"owners daily-exception-triage role:eval-engineer <@{people.carol.id}|carol>",
        channel="general",
    )
    said = slack.wait_for(
        lambda: [m.text for m in slack.messages("general") if "set the owners" in m.text]
    )[0]
    assert said.endswith(f"eval-engineer (nobody yet), <@{people.carol.id}>.")
    people.alice.command("/ritual", "owners daily-exception-triage role:chef", channel="general")
    refused = slack.wait_for(lambda: people.alice.ephemerals())[0].text
    assert refused.startswith("There is no team role `chef`.") and "eval-engineer" in refused
    people.alice.command("/ritual", "list", channel="general")
    listing = slack.wait_for(lambda: people.alice.ephemerals()[1:])[0].text
    assert f"owners: eval-engineer (nobody yet), <@{people.carol.id}>" in listing
