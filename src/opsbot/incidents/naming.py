"""Incident channel names that `conversations.create` accepts: `inc-<number>-<slug>`.

Slack allows only lowercase letters, digits, `-` and `_`, at most 80 characters (SLACK_FACTS §5).
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHANNEL_NAME = 80

# Letters NFKD does not decompose into ASCII; anything else non-ASCII is dropped.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
    }
)
# Underscores are allowed but become `-` too, so a slug has one kind of separator.
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
_EDGES = "-_"


def channel_name(number: int, title: str) -> str:
    """`inc-<number>-<slug of title>`, lowercase ASCII, <= 80 characters; `inc-<n>` if no slug."""
    if number < 1:
        raise ValueError(f"incident numbers start at 1, not {number}")
    prefix = f"inc-{number}"
    room = MAX_CHANNEL_NAME - len(prefix) - 1
    slug = _fit(slugify(title), room)
    return f"{prefix}-{slug}" if slug else prefix


def with_suffix(name: str, attempt: int) -> str:
    """The name to try after `name_taken`: attempt 1 gives `<name>-2`, attempt 2 `<name>-3`…

    The base is shortened (never the suffix) so the result stays within 80 characters.
    """
    if attempt < 1:
        return name
    suffix = f"-{attempt + 1}"
    base = name[: MAX_CHANNEL_NAME - len(suffix)].rstrip(_EDGES)
    return base + suffix


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by `-`: accents folded, other non-ASCII and punctuation gone."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _NOT_ALLOWED.sub("-", ascii_only).strip(_EDGES)


def _fit(slug: str, room: int) -> str:
    """Cut a slug to `room` characters, at a word break when one is close, never ending in `-`."""
    if len(slug) <= room:
        return slug
    cut = slug[:room]
    word_break = cut.rfind("-")
    if word_break >= room - 15:
        cut = cut[:word_break]
    return cut.rstrip(_EDGES)
