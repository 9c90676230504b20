"""An ack that cannot miss Slack's 3 s while a command's work runs before it.

A slash command answers in its ack when its work is done in time (no second request to the
response_url). Should the work still be running at the deadline, one watchdog thread acks it,
empty, and the answer follows through the response_url when the work ends.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

IDLE_SECONDS = 30.0  # the watchdog thread ends after this long with nothing to watch


class PendingAck:
    """One command's ack, given exactly once: with the answer, or empty at the deadline."""

    __slots__ = ("_ack", "_lock", "_state", "deadline")

    def __init__(self, ack: Callable[..., Any], deadline: float) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self._state = ""  # "answered" or "expired" once acked
        self.deadline = deadline

    @property
    def settled(self) -> bool:
        return bool(self._state)

    def answer(self, **kwargs: Any) -> bool:
        """Ack with this answer; False when the deadline acked first (send it later instead)."""
        with self._lock:
            if self._state:
                return False
            self._state = "answered"
        self._ack(**kwargs)
        return True

    def expire(self) -> None:
        """Ack empty now, unless the answer already went."""
        with self._lock:
            if self._state:
                return
            self._state = "expired"
        self._ack()


class AckDeadlines:
    """Watches pending acks; each still pending ``seconds`` after it began is acked empty."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._pending: deque[PendingAck] = deque()  # in deadline order: all share ``seconds``
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, ack: Callable[..., Any]) -> PendingAck:
        """Start the clock on ``ack``; answer through the returned PendingAck."""
        pending = PendingAck(ack, time.monotonic() + self.seconds)
        with self._changed:
            self._pending.append(pending)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ack-deadlines", daemon=True)
                self._thread.start()
            elif len(self._pending) == 1:
                self._changed.notify()
        return pending

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._pending:
                    self._changed.wait(IDLE_SECONDS)
                    if not self._pending:
                        self._thread = None  # the next watch starts another
                        return
                    continue
                head = self._pending[0]
                left = head.deadline - time.monotonic()
                if left > 0 and not head.settled:
                    self._changed.wait(left)
                    continue
                self._pending.popleft()
            head.expire()  # outside the lock: a no-op when the answer went in time
