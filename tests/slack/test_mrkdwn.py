"""mrkdwn helpers: untrusted text stays inert, our own markup stays live, cuts stay valid."""

from __future__ import annotations

import pytest

from opsbot.slack.mrkdwn import (
    channel_link,
    code,
    escape,
    link,
    mention,
    truncate,
    unescape,
    user_id_from_mention,
)


def test_escape_turns_the_three_control_characters_into_entities() -> None:
    """`&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`."""
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"


def test_escape_leaves_every_other_character_alone() -> None:
    """Quotes, markdown marks and Unicode are not HTML-encoded (Slack would show the entity)."""
    text = '"it\'s" *bold* _it_ ~s~ `c` é 😀 | @here #chan'
    assert escape(text) == text


@pytest.mark.parametrize(
    ("attack", "inert"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> now", "&lt;!here&gt; now"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("<@U0123ABCD>", "&lt;@U0123ABCD&gt;"),
        ("<!subteam^S123>", "&lt;!subteam^S123&gt;"),
        ("<https://evil.example|bank>", "&lt;https://evil.example|bank&gt;"),
        ("<#C0123|general>", "&lt;#C0123|general&gt;"),
    ],
)
def test_escape_makes_injected_markup_inert(attack: str, inert: str) -> None:
    """Broadcasts, mentions and disguised links typed by a user come out as plain characters."""
    assert escape(attack) == inert
    assert "<" not in escape(attack) and ">" not in escape(attack)


def test_escape_escapes_ampersand_first_so_entities_are_not_smuggled() -> None:
    """A typed `&amp;` or `&lt;!channel&gt;` is shown literally, not decoded by Slack."""
    assert escape("&amp;") == "&amp;amp;"
    assert escape("&lt;!channel&gt;") == "&amp;lt;!channel&amp;gt;"
    assert unescape(escape("&lt;!channel&gt;")) == "&lt;!channel&gt;"


def test_escape_twice_is_visible_double_escaping() -> None:
    """Escaping is not idempotent, so text must be escaped exactly once."""
    assert escape(escape("<")) == "&amp;lt;"


def test_unescape_reverses_escape() -> None:
    """`unescape(escape(x)) == x` for text full of control characters and entity look-alikes."""
    text = "x < y && y > z &lt; &amp;gt; <!channel>"
    assert unescape(escape(text)) == text


def test_mention_writes_a_user_mention() -> None:
    """A user id becomes `<@U…>`; W ids (Enterprise Grid) are users too."""
    assert mention("U0123ABCD") == "<@U0123ABCD>"
    assert mention("W0123ABCD") == "<@W0123ABCD>"


@pytest.mark.parametrize("bad", ["", "u0123", "U0123>|x", "<@U0123>", "!channel", "U 123"])
def test_mention_refuses_anything_but_an_id(bad: str) -> None:
    """A value that is not a user id cannot become markup."""
    with pytest.raises(ValueError):
        mention(bad)


@pytest.mark.parametrize(
    ("token", "user_id"),
    [
        ("<@U123ABC|alice>", "U123ABC"),
        ("<@U123ABC>", "U123ABC"),
        ("<@W123ABC|ann.lee>", "W123ABC"),
        (" <@U123ABC|Ann Lee> ", "U123ABC"),
        ("@alice", None),
        ("alice", None),
        ("<!channel>", None),
        ("<#C123ABC|general>", None),
        ("<@U123ABC|alice> <@U999XYZ>", None),
    ],
)
def test_user_id_from_mention_reads_slack_escaped_mentions_only(
    token: str, user_id: str | None
) -> None:
    """Only one escaped user mention yields an id; bare @names, channels and broadcasts do not."""
    assert user_id_from_mention(token) == user_id


def test_channel_link_writes_a_channel_reference_and_refuses_non_ids() -> None:
    """A channel id becomes `<#C…>`; a name or markup is refused."""
    assert channel_link("C0123ABCD") == "<#C0123ABCD>"
    with pytest.raises(ValueError):
        channel_link("general")
    with pytest.raises(ValueError):
        channel_link("C012>|<!channel")


def test_link_escapes_the_label() -> None:
    """A label cannot close the link early or inject a broadcast."""
    assert link("https://ci.example/run/81", "run <!channel> & co") == (
        "<https://ci.example/run/81|run &lt;!channel&gt; &amp; co>"
    )


def test_link_without_label_and_with_ampersand_in_url() -> None:
    """A bare link is `<url>`, and `&` in the URL is written as `&amp;` (Slack decodes it)."""
    assert link("https://x.example/?a=1&b=2") == "<https://x.example/?a=1&amp;b=2>"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://evil.example|bank",
        "https://x.example/>oops",
        "https://x.example/a b",
        "ftp://x.example",
    ],
)
def test_link_refuses_urls_that_could_break_out(url: str) -> None:
    """Only http(s)/mailto URLs without `<`, `>`, `|` or spaces are linked."""
    with pytest.raises(ValueError):
        link(url, "label")


def test_code_escapes_and_keeps_the_span_closed() -> None:
    """Inline code escapes its text and replaces backticks so the span cannot end early."""
    assert code("/incident note <text>") == "`/incident note &lt;text&gt;`"
    assert code("a`b") == "`aˋb`"


def test_truncate_leaves_short_text_alone() -> None:
    """Text within the limit is returned unchanged, without an ellipsis."""
    assert truncate("hello", 5) == "hello"


def test_truncate_cuts_to_the_limit_with_an_ellipsis() -> None:
    """Longer text is cut so that, ellipsis included, it is exactly within the limit."""
    result = truncate("abcdefghij", 6)
    assert result == "abcde…"
    assert len(result) == 6


def test_truncate_never_separates_a_combining_accent_from_its_letter() -> None:
    """A decomposed "é" (e + U+0301) is kept whole or dropped whole."""
    text = "cafe\u0301 au lait"
    result = truncate(text, 5)
    assert result == "caf…"
    assert len(result) <= 5


def test_truncate_keeps_emoji_zwj_sequences_whole() -> None:
    """A family emoji joined with ZWJ is not cut into a dangling joiner."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    result = truncate("ab" + family + "cdef", 5)
    assert "\u200d" not in result
    assert result == "ab…"


def test_truncate_never_cuts_inside_an_escape_entity() -> None:
    """Cutting escaped text drops a half-written `&amp;` rather than leaving `&am`."""
    escaped = escape("a&b")  # "a&amp;b"
    assert truncate(escaped, 5) == "a…"
    assert truncate(escaped, 7) == escaped


def test_truncate_keeps_a_complete_entity() -> None:
    """An entity wholly before the cut stays."""
    assert truncate("x&lt;yyyyyy", 6) == "x&lt;…"


def test_truncate_refuses_a_limit_below_one() -> None:
    """A limit of zero cannot hold even the ellipsis."""
    with pytest.raises(ValueError):
        truncate("abc", 0)


@pytest.mark.parametrize("cut", range(4, 40))
def test_truncate_never_cuts_inside_a_mention_or_date_token(cut: int) -> None:
    """Wherever the limit falls, a `<@U…>` or `<!date…>` token is kept whole or dropped whole."""
    text = "by <@U0123ABCD> at <!date^1700000000^{time}|10:00> ok"
    result = truncate(text, cut)
    kept = result.removesuffix("…")
    assert kept.count("<") == kept.count(">")
    assert len(result) <= cut
