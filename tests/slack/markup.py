"""What a person's Slack client would make of a mrkdwn text: markup opsbot wrote, or not."""

from __future__ import annotations

import re

# The tokens opsbot itself writes: a user or channel mention, a date, a link.
_TOKEN = re.compile(
    r"<(?:@[UW][A-Z0-9]{2,}(?:\|[^<>]*)?"
    r"|#[CG][A-Z0-9]{2,}(?:\|[^<>]*)?"
    r"|!date\^\d+\^[^|<>]*\|[^<>]*"
    r"|(?:https?://|mailto:)[^\s<>|]+(?:\|[^<>]*)?)>"
)
_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def markup_problems(text: str) -> list[str]:
    """Every piece of ``text`` that is not inert: a `<…>` that is not one of our whole tokens
    (an injected `<!channel>`, a token cut in half), or an `&` that starts no entity."""
    problems = []
    rest = _TOKEN.sub("", text)
    for match in re.finditer(r"[<>]", rest):
        start = max(0, match.start() - 20)
        problems.append(f"stray {match.group()!r} in …{rest[start : match.end() + 20]}…")
    problems += [f"bare & at {m.start()}" for m in _ENTITY.finditer(rest)]
    return problems
