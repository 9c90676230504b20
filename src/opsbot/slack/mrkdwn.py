"""mrkdwn building blocks: escape untrusted text, write mentions, links and code, cut to limits.

Slack decodes only `&amp;`, `&lt;` and `&gt;`; everything else is left alone (SLACK_FACTS §6).
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"

# The one pattern of a Slack user id (U…, or W… in Enterprise Grid).
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
# With the command's "escape channels, users, and links" setting, a mention arrives as
# `<@U123|alice>` (or `<@U123>`); the label is whatever Slack put there.
_MENTION = re.compile(rf"<@({USER_ID.pattern})(?:\|[^<>]*)?>")
_ENTITIES = ("&amp;", "&lt;", "&gt;")
_ZWJ = "\u200d"
_LINK_SCHEMES = ("https://", "http://", "mailto:")


def escape(text: str) -> str:
    """Make untrusted text inert in mrkdwn: `&` first, then `<` and `>`; nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo `escape` (what Slack shows a person): `&lt;` and `&gt;` first, `&amp;` last."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_user_id(text: str) -> bool:
    """True when ``text`` is a Slack user id, e.g. `U01ALICE01`."""
    return USER_ID.fullmatch(text) is not None


def mention(user_id: str) -> str:
    """A live mention of a user id (`<@U…>`); anything that is not an id is refused."""
    if not is_user_id(user_id):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return f"<@{user_id}>"


def user_id_from_mention(token: str) -> str | None:
    """The user id in one escaped mention token (`<@U123|alice>` or `<@U123>`), else None."""
    match = _MENTION.fullmatch(token.strip())
    return match.group(1) if match else None


def channel_link(channel_id: str) -> str:
    """A link to a channel by id (`<#C…>`); anything that is not an id is refused."""
    if not _CHANNEL_ID.fullmatch(channel_id):
        raise ValueError(f"not a Slack channel id: {channel_id!r}")
    return f"<#{channel_id}>"


def link(url: str, label: str | None = None) -> str:
    """A link `<url|label>` with the label escaped; a URL that could break out is refused."""
    if not url.startswith(_LINK_SCHEMES) or any(c in url for c in "<>|") or _has_space(url):
        raise ValueError(f"not a linkable URL: {url!r}")
    target = url.replace("&", "&amp;")
    if not label:
        return f"<{target}>"
    # A `|` in the label is harmless after the first one, but `>` would end the link early.
    return f"<{target}|{escape(label)}>"


def code(text: str) -> str:
    """Inline code of escaped text; a backtick inside would end the span, so it is replaced."""
    return "`" + escape(text.replace("`", "ˋ")) + "`"


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, ending in "…", never inside a character, an escape
    or a token.

    Meant for escaped mrkdwn and plain text alike: the cut backs off combining marks (so an
    accent stays on its letter), a half-written `&amp;`/`&lt;`/`&gt;` entity and a half-written
    `<…>` token (a mention, channel, date or link is kept whole or dropped whole; escaped text
    has no raw `<`). Still cut untrusted text before adding markup around it.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    while cut > 0 and (_joins_previous(text[cut]) or text[cut - 1] == _ZWJ):
        cut -= 1
    kept = text[:cut]
    amp = kept.rfind("&")
    if amp != -1 and ";" not in kept[amp:] and any(e.startswith(kept[amp:]) for e in _ENTITIES):
        kept = kept[:amp]
    opened = kept.rfind("<")
    if opened != -1 and ">" not in kept[opened:]:
        kept = kept[:opened]
    return kept.rstrip() + ELLIPSIS


def _joins_previous(char: str) -> bool:
    """True for a code point that belongs to the character before it."""
    return (
        unicodedata.combining(char) != 0
        or char in (_ZWJ, "\ufe0f", "\ufe0e")
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin-tone modifiers
        or unicodedata.category(char) == "Mn"
    )


def _has_space(text: str) -> bool:
    return any(c.isspace() for c in text)
