"""The Block Kit kit keeps every block within Slack's limits, as the stand-in checks them."""

from __future__ import annotations

from opsbot.slack import blocks as kit
from opsbot.testing.limits import block_problems, view_problems

LONG = "x" * 5000
MENTIONS = " ".join(f"<@U{n:08d}>" for n in range(400))  # 4,800 characters of tokens


def test_every_builder_cuts_its_text_to_slack_limits() -> None:
    """Over-long text in any block or element still makes a message Slack accepts."""
    message = [
        kit.header(LONG),
        kit.section(LONG, block_id="a", accessory=kit.button(LONG, "act", LONG)),
        kit.section(MENTIONS),
        kit.fields([LONG] * 12),
        kit.context(*[LONG] * 12),
        kit.plain_context(LONG),
        kit.divider(),
        kit.actions([kit.button("b", f"b{n}", "v") for n in range(30)]),
    ]
    assert block_problems(message, max_blocks=kit.MESSAGE_BLOCKS) == []


def test_a_modal_stays_within_slack_limits() -> None:
    """Titles, labels, options, placeholders and initial values are cut to what Slack takes."""
    view = kit.modal(
        "cb",
        LONG,
        [
            kit.text_input("t", LONG, initial=LONG, placeholder=LONG, max_length=9000),
            kit.select("s", LONG, [(LONG, f"v{n}") for n in range(150)], initial="v3"),
            *[kit.divider() for _ in range(120)],
        ],
        submit=LONG,
        private_metadata=LONG,
    )
    assert view_problems(view, kind="modal") is None


def test_a_mrkdwn_text_is_never_cut_inside_a_mention() -> None:
    """A section of 400 mentions is cut between two of them."""
    text = kit.section(MENTIONS)["text"]["text"]
    assert len(text) <= kit.SECTION_TEXT
    kept = text.removesuffix("…").rstrip()
    assert kept.endswith(">") and kept.count("<") == kept.count(">")


def test_lines_keep_whole_lines_and_count_the_rest() -> None:
    """A list longer than the limit keeps whole lines and says how many were left out."""
    items = [f"• <@U{n:08d}> did thing {n}" for n in range(10)]
    text = kit.lines(items, 100, more=lambda n: f"…and {n} more.")
    assert len(text) <= 100
    *shown, last = text.split("\n")
    assert shown == items[: len(shown)] and last == f"…and {10 - len(shown)} more."


def test_lines_count_what_the_caller_left_out_too() -> None:
    """Lines already left out are counted even when the shown ones fit."""
    assert kit.lines(["a", "b"], 100, hidden=3) == "a\nb\n…and 3 more."
    assert kit.lines(["a", "b"], 100) == "a\nb"


def test_fit_keeps_a_surface_within_its_block_limit() -> None:
    """Too many blocks: the last that fits says more were left out."""
    blocks = [kit.divider() for _ in range(120)]
    fitted = kit.fit(blocks, kit.VIEW_BLOCKS, more="More elsewhere.")
    assert len(fitted) == kit.VIEW_BLOCKS
    assert fitted[-1] == kit.context("More elsewhere.")
