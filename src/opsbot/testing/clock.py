"""Clocks for the stand-in: wall time for message ts, real monotonic time for Slack's own timers.

freezegun replaces ``time.monotonic`` and rewrites module-level references to it, so the real
functions are kept as attributes of a class, where its import scan does not reach.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def _unfrozen(name: str) -> Callable[[], float]:
    current: Callable[[], float] = getattr(time, name)
    if getattr(current, "__module__", "") == "freezegun.api":  # imported while time was frozen
        from freezegun import api  # type: ignore[import-not-found,unused-ignore]

        real: Callable[[], float] = getattr(api, f"real_{name}")
        return real
    return current


class Real:
    """The process's real clocks, immune to freezegun (tests of the bot freeze time freely)."""

    monotonic: Callable[[], float] = staticmethod(_unfrozen("monotonic"))
    sleep: Callable[[float], None] = staticmethod(time.sleep)


def real_monotonic() -> float:
    """Seconds from a monotonic clock that freezegun does not stop."""
    return Real.monotonic()


class TsSource:
    """Slack message timestamps ("1764278400.000100"): wall time, strictly increasing.

    Wall time is read through ``time.time`` on purpose, so a frozen test clock gives frozen-era
    timestamps; uniqueness is kept by never going backwards by even a microsecond.
    """

    def __init__(self) -> None:
        self._last_us = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            now_us = int(time.time() * 1_000_000)
            self._last_us = max(now_us, self._last_us + 1)
            seconds, micros = divmod(self._last_us, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def resume_after(self, ts: str) -> None:
        """Never hand out ``ts`` or anything earlier (a restored workspace's last message)."""
        seconds, _, micros = ts.partition(".")
        with self._lock:
            self._last_us = max(self._last_us, int(seconds) * 1_000_000 + int(micros or 0))
