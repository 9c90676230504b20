"""Traffic shaping: injected faults, the one-message-per-second pace, and per-method tiers."""

from __future__ import annotations

import math
import threading
from collections import deque
from typing import Any

from .clock import real_monotonic
from .model import Fault
from .state import Workspace

PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}


class Traffic:
    """Decides, before a handler runs, whether a call fails or is rate limited."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.faults: list[Fault] = []
        self.pace_enabled = False
        self.burst = 1
        self._buckets: dict[str, tuple[float, float]] = {}
        self.tiers_enabled = False
        self.per_minute: dict[str, int] = {}
        self.window = 60.0
        self._windows: dict[str, deque[float]] = {}

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        """Forget every fault; calls held by one are let go."""
        with self._lock:
            for fault in self.faults:
                if fault.gate is not None:
                    fault.gate.release()
            self.faults.clear()

    def take_fault(
        self, method: str, channel_id: str | None, ws: Workspace, *, text: Any = None
    ) -> Fault | None:
        """The first fault matching this call, counted down (and dropped when used up)."""
        with self._lock:
            for fault in self.faults:
                if fault.method not in (method, "*"):
                    continue
                if fault.text is not None and fault.text not in str(text or ""):
                    continue
                if fault.channel is not None:
                    wanted = ws.find_channel(fault.channel)
                    if channel_id is None or channel_id != (wanted.id if wanted else fault.channel):
                        continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    def throttle(self, method: str, tier: int | None, channel_id: str | None) -> int | None:
        """Seconds to wait (the Retry-After) if this call is over a limit, else None."""
        now = real_monotonic()
        with self._lock:
            if method == "chat.postMessage" and self.pace_enabled and channel_id:
                tokens, last = self._buckets.get(channel_id, (float(self.burst), now))
                tokens = min(float(self.burst), tokens + (now - last))
                if tokens < 1.0:
                    self._buckets[channel_id] = (tokens, now)
                    return max(1, math.ceil(1.0 - tokens))
                self._buckets[channel_id] = (tokens - 1.0, now)
            limit = self.per_minute.get(method) or (PER_MINUTE.get(tier) if tier else None)
            if not self.tiers_enabled or limit is None:
                return None
            calls = self._windows.setdefault(method, deque())
            while calls and now - calls[0] >= self.window:
                calls.popleft()
            if len(calls) >= limit:
                return max(1, math.ceil(self.window - (now - calls[0])))
            calls.append(now)
            return None
