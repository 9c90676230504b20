"""The console shows what the bot does, when it does it, and lets a person act on all of it."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from opsbot.console import news
from opsbot.console.buttons import ButtonBoard, Surface
from opsbot.console.render import Renderer

from . import Typist

INCIDENT = "#inc-1-refunds-wrong"


def test_a_reply_in_the_ack_is_shown_without_waiting_for_a_further_change(
    typist: Typist,
) -> None:
    """`/ops help` is answered in the ack, before the console starts waiting: the wait counts
    that answer (it reads the bot's version before typing) and ends because the bot is idle,
    not at its time limit."""
    screen = typist.type("/ops help")
    assert "(only visible to you in #general)" in screen and "/ops dashboard" in screen
    settled = typist.console.last_settled
    assert settled is not None and settled.answered and settled.idle


def test_a_reply_through_the_response_url_is_waited_for_and_shown(typist: Typist) -> None:
    """A reply the bot posts after an empty ack (to the response_url) is waited for: the
    console waits while the command's work is unfinished, then shows it."""
    screen = typist.type("/incident list")
    assert "(only visible to you in #general)" in screen
    settled = typist.console.last_settled
    assert settled is not None and settled.answered and settled.idle


def test_declaring_shows_every_message_the_bot_posts_for_it(typist: Typist) -> None:
    """After the declaration the console has waited for the outbox: the announcement with its
    rich_text "Join #channel" link and the pinned control panel are on screen."""
    screen = typist.type("/incident declare sev2 Refunds wrong")
    assert "── #incidents ──" in screen
    assert "Join #inc-1-refunds-wrong" in screen
    assert f"── {INCIDENT} ──" in screen and "[1] Contain" in screen


def test_buttons_keep_their_numbers_after_other_things_are_shown(typist: Typist) -> None:
    """The control panel's first button still works after another reply and a `show`, and
    shows under the same number again."""
    typist.type("/incident declare sev2 Refunds wrong")
    typist.type("/ops help")
    typist.type(INCIDENT)
    screen = typist.type("click 1", "Switched the refund agent off")
    assert "┌─ Record containment" in screen and "└─ submitted" in screen
    assert "recorded containment: Switched the refund agent off" in screen
    assert "[1] Contain" in typist.type("show")


def test_a_button_is_clicked_by_its_label(typist: Typist) -> None:
    """`click Contain` clicks the last button shown with that label, in any case."""
    typist.type("/incident declare sev2 Refunds wrong")
    screen = typist.type("click contain", "Switched the refund agent off")
    assert "┌─ Record containment" in screen


def test_a_button_number_nobody_was_shown_is_refused(typist: Typist) -> None:
    """`click 99` and `click Nothing` say how buttons are named, and nothing is sent."""
    sent = len(typist.console.slack.deliveries())
    assert "Give a button's number" in typist.type("click 99")
    assert "Give a button's number" in typist.type("click Nothing")
    assert len(typist.console.slack.deliveries()) == sent


def test_thread_shows_every_reply_including_the_first(typist: Typist, slack: Any) -> None:
    """`thread 1` lists all replies, the first one too; a new reply shows as news in its
    thread when it arrives."""
    typist.type("say Who owns refunds?")
    parent = slack.messages("general")[0].ts
    slack.person("alice").say("general", "I do", thread_ts=parent)
    screen = typist.type("wait 0")
    assert "in the thread of message 1" in screen and "I do" in screen
    slack.person("bob").say("general", "Me too", thread_ts=parent)
    screen = typist.type("thread 1")
    assert "I do" in screen and "Me too" in screen


def test_people_lists_who_exists_and_as_refuses_a_stranger(typist: Typist) -> None:
    """`people` names everyone; `as` a name nobody has is refused until `people add` it."""
    screen = typist.type("people")
    for name in ("alice", "bob", "carol", "dave", "you"):
        assert f"@{name} " in screen
    assert "There is nobody called @zed" in typist.type("as zed")
    assert "@zed is now in the workspace" in typist.type("people add zed")
    assert "You are now @zed." in typist.type("as zed")


def test_a_slash_command_typed_in_a_modal_is_not_taken_as_the_answer(typist: Typist) -> None:
    """With the declare modal open, `/ops help` is refused as an answer, and `cancel` closes
    the modal without declaring anything."""
    screen = typist.type("/incident declare", "/ops help", "cancel")
    assert "┌─" in screen and "not sent as a command" in screen and "└─ closed" in screen
    assert typist.console.slack.open_views(typist.console.me.id) == []
    assert "Declaring" not in screen


def test_a_long_default_is_shown_whole(typist: Typist, slack: Any) -> None:
    """The drafted customer update is shown line by line, in full, and Enter keeps it."""
    typist.type("/incident declare sev2 Refunds wrong")
    typist.type(INCIDENT)
    typist.type("click Contain", "Switched the refund agent off for refunds over the cap")
    screen = typist.type("click Customer update", "")
    posted = [m.text for m in slack.messages("customer-comms")]
    assert posted, "the update was not posted"
    draft_lines = [line for line in screen.splitlines() if line.startswith("│     ")]
    assert len(draft_lines) >= 2
    for line in draft_lines:
        assert line.removeprefix("│     ") in posted[-1] + "\n".join(
            m.text for m in slack.messages(INCIDENT)
        )


def test_an_option_that_is_not_offered_is_asked_again(typist: Typist) -> None:
    """A layer typed that the modal does not offer is asked again instead of breaking."""
    typist.type("/incident declare sev2 Refunds wrong")
    typist.type(INCIDENT)
    screen = typist.type("click Add RCA finding", "nowhere", "1", "The prompt lost its cap")
    assert "Pick one of the options by its number" in screen
    assert "recorded a *model* finding: The prompt lost its cap" in screen


def test_app_home_shown_twice_shows_the_new_version(typist: Typist) -> None:
    """`home` waits for the bot to publish again: a second `home` after a declaration shows it."""
    assert "No open incidents" in typist.type("home")
    typist.type("/incident declare sev2 Refunds wrong")
    assert "Refunds wrong" in typist.type("home")


def test_mentions_typed_in_the_console_reach_the_bot_as_slack_sends_them(typist: Typist) -> None:
    """`@bob` in a typed command arrives as Slack's escaped mention and is shown as @bob."""
    assert "set *eval-engineer* to @bob" in typist.type("/ops team set eval-engineer @bob")
    assert "*eval-engineer*: @bob" in typist.type("/ops team")


def test_the_console_explains_unknown_input(typist: Typist) -> None:
    """A word the console does not know gets a pointer to `help`; a slash command the app does
    not have is refused as Slack refuses it, never sent; the session goes on."""
    sent = len(typist.console.slack.deliveries())
    assert "/nonsense is not a valid command" in typist.type("/nonsense now")
    assert len(typist.console.slack.deliveries()) == sent
    assert "I don't know `frobnicate`" in typist.type("frobnicate")
    assert "There is no #nowhere" in typist.type("#nowhere")
    assert "#ai-ops" in typist.type("channels")


def test_ingest_verifies_the_fix_its_eval_run_tests(typist: Typist, tmp_path: Any) -> None:
    """`ingest` stores an eval run whose passing case verifies an incident's fix: the console
    says so and shows the message the incident channel gets."""
    run = {
        "kind": "eval-run",
        "suite": "refunds",
        "tag": "v13",
        "run_id": "r-9",
        "at": "2026-11-20T10:00:00+00:00",
        "cases": [{"id": "eval-guard", "passed": True}],
    }
    (tmp_path / "run.jsonl").write_text(json.dumps(run) + "\n")
    typist.type("/incident declare sev2 Refunds wrong")
    typist.type(INCIDENT)
    typist.type("/incident fix Restore the cap test=eval-guard")
    screen = typist.type(f"ingest {tmp_path / 'run.jsonl'}")
    assert "Stored 0 confidence scores, 0 outcomes and 1 eval runs." in screen
    assert "Verified fix 1 of incident 1 (test eval-guard)." in screen
    assert "✅ Fix 1 is verified: eval run `r-9` passed `eval-guard`." in screen


def test_a_bad_ingest_line_is_named_and_nothing_is_stored(typist: Typist, tmp_path: Any) -> None:
    """A line with a bad field is reported with its line number and field; nothing is stored."""
    lines = [
        {"kind": "confidence", "at": "2026-11-20T10:00:00+00:00", "tag": "a", "score": 0.5},
        {"kind": "confidence", "at": "2026-11-20T10:00:00+00:00", "tag": "a", "score": 7},
    ]
    (tmp_path / "bad.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    screen = typist.type(f"ingest {tmp_path / 'bad.jsonl'}")
    assert "line 2: score:" in screen and "Nothing was stored" in screen


def test_the_console_waits_for_slack_calls_the_bot_is_still_making(
    typist: Typist, slack: Any
) -> None:
    """While Slack keeps the channel's creation waiting, the console keeps waiting too (the
    bot has outbox work due), and shows the control panel once it is posted."""
    release = slack.hold("conversations.create")

    def release_later() -> None:
        slack.wait_for(lambda: [c for c in slack.channels() if c.name.startswith("inc-1")])
        time.sleep(news.QUIET_SECONDS * 5)  # longer than the console's moment of silence
        release.set()

    threading.Thread(target=release_later, daemon=True).start()
    screen = typist.type("/incident declare sev2 Refunds wrong")
    assert "[1] Contain" in screen


def test_rich_text_is_drawn_as_slack_shows_it() -> None:
    """rich_text sections, lists, quotes, code, links, mentions and emoji become lines."""
    render = Renderer(lambda user: {"U1": "bob"}.get(user, user), lambda c: {"C1": "ops"}[c])
    text = lambda t, **style: {"type": "text", "text": t, **({"style": style} if style else {})}  # noqa: E731
    section = lambda *e: {"type": "rich_text_section", "elements": list(e)}  # noqa: E731
    block = {
        "type": "rich_text",
        "elements": [
            section(
                text("Join "), {"type": "channel", "channel_id": "C1"}, text(" now", bold=True)
            ),
            {
                "type": "rich_text_list",
                "style": "ordered",
                "elements": [section(text("first")), section({"type": "user", "user_id": "U1"})],
            },
            {"type": "rich_text_quote", "elements": [text("quoted")]},
            {"type": "rich_text_preformatted", "elements": [text("x = 1\ny = 2")]},
            section(
                {"type": "link", "url": "https://example.com", "text": "docs"},
                {"type": "emoji", "name": "tada", "unicode": "1f389"},
            ),
        ],
    }
    assert render.blocks([block]) == [
        "Join #ops *now*",
        "1. first",
        "2. @bob",
        "> quoted",
        "    x = 1",
        "    y = 2",
        "docs (https://example.com)🎉",
    ]


def test_buttons_shown_again_keep_their_number_and_new_ones_get_the_next() -> None:
    """The board gives a button the same number each time it is drawn on the same message."""
    board = ButtonBoard()
    panel = Surface("message", "U1", "C1", "1.0")
    assert board.number(panel, "Contain", "incident.contain", "1") == 1
    assert board.number(panel, "Resolve", "incident.resolve", "1") == 2
    assert board.number(Surface("message", "U1", "C1", "2.0"), "Contain", "x", "1") == 3
    assert board.number(panel, "Contain", "incident.contain", "1") == 1
    assert board.labelled("contain", "U1") == board.get(1)


def test_an_edited_message_shows_what_changed_and_keeps_its_buttons(typist: Typist) -> None:
    """The control panel edited after containment shows its new status and its buttons, and
    says how many unchanged lines it left out; `show` shows the whole panel."""
    typist.type("/incident declare sev2 Refunds wrong")
    typist.type(INCIDENT)
    screen = typist.type("/incident contain Switched the refund agent off")
    panel = screen.split(f"── {INCIDENT} ──", 1)[1].split("\n  2. opsbot", 1)[0]
    assert "(edited)" in panel and "*Status* contained" in panel
    assert "[1] Contain" in panel and "unchanged lines" in panel
    assert "*Severity* sev2" not in panel
    assert "*Severity* sev2" in typist.type("show")


def test_a_reaction_is_confirmed_and_a_pinned_message_reaches_the_timeline(
    typist: Typist,
) -> None:
    """`react pushpin 2` says what was done, and the incident's timeline then holds the
    message."""
    typist.type("/incident declare sev2 Refunds wrong")
    typist.type(INCIDENT)
    typist.type("say Refunds over the cap were approved at 10:02")
    assert "You reacted :pushpin: to message 2." in typist.type("react pushpin 2")
    assert "Refunds over the cap were approved at 10:02" in typist.type("/incident timeline")


def test_slack_dates_read_as_the_slack_client_shows_them() -> None:
    """`<!date^…>` tokens render as Slack does: `{ago}` as a period, `*_pretty` as today or
    yesterday, `{time}` as a clock time; the fallback text is never shown."""
    from datetime import datetime

    from opsbot.console.dates import slack_date

    render = Renderer(lambda user: user, lambda channel: channel)
    epoch = int(time.time()) - 125
    assert render.text(f"<!date^{epoch}^{{ago}}|fallback>") == "2 minutes ago"
    noon = int(datetime(2026, 3, 2, 12, 5).timestamp())
    day = 86400
    assert slack_date(noon, "{date_short_pretty} {time}", now=noon + 60) == "today 12:05"
    assert slack_date(noon, "{date_pretty}", now=noon + day) == "yesterday"
    assert slack_date(noon, "{date_long}", now=noon + 9 * day) == "Monday, March 2nd, 2026"
    assert slack_date(noon, "{date_num} {time_secs}", now=noon) == "2026-03-02 12:05:00"
    assert slack_date(noon, "{ago}", now=noon - 3 * 3600) == "in 3 hours"
    assert slack_date(noon, "{ago}", now=noon + 1) == "1 second ago"


def test_a_date_the_picker_would_not_give_is_asked_again(typist: Typist) -> None:
    """The decision's due date must be a date, as Slack's date picker gives; `next week` is
    asked again and the decision is recorded with the date typed next."""
    typist.type("/ritual run daily-exception-triage")
    typist.type("#ai-ops")
    screen = typist.type(
        "click Record decision", "Re-check the refund cap", "4", "bob", "next week", "2026-12-15"
    )
    assert "Slack's date picker gives a date" in screen
    assert "recorded decision 1: Re-check the refund cap" in screen


def test_enter_alone_shows_what_happened_meanwhile(typist: Typist, slack: Any) -> None:
    """An empty line shows news that arrived while the person was not typing."""
    slack.person("alice").say("general", "Is anyone on the refunds alert?")
    assert "Is anyone on the refunds alert?" in typist.type("")


def test_a_reply_the_bot_replaces_is_shown_again_with_its_buttons(typist: Typist) -> None:
    """Done on a `/ritual decisions` reply replaces that reply; the console shows it again,
    and its new Undo button can be clicked."""
    typist.type("/ops team set product-ops-lead @you")
    typist.type("/ritual run daily-exception-triage")
    typist.type("#ai-ops")
    typist.type("click Record decision", "Re-check the refund cap", "4", "bob", "2026-12-15")
    typist.type("/ritual decisions")
    screen = typist.type("click Done")
    assert "your earlier reply, replaced" in screen
    assert "You marked decision 1 done: Re-check the refund cap" in screen
    assert "Undo" in screen
    assert "Decision 1 is open again" in typist.type("click Undo")
