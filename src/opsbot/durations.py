"""How opsbot writes a duration for people, in every message, document and reason."""

from __future__ import annotations

from datetime import timedelta

_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60))


def duration(span: timedelta | float | None) -> str:
    """Its two largest units: 45 -> "45s", 300 -> "5m", 3900 -> "1h 5m", 183600 -> "2d 3h";
    a negative span is 0s, and None (not happened yet) is a dash."""
    if span is None:
        return "–"
    seconds = span.total_seconds() if isinstance(span, timedelta) else span
    remaining = max(0, round(seconds))
    if remaining < 60:
        return f"{remaining}s"
    parts: list[str] = []
    for unit, size in _UNITS:
        amount, remaining = divmod(remaining, size)
        if amount or parts:
            parts.append(f"{amount}{unit}")
    return " ".join(part for part in parts[:2] if not part.startswith("0"))
