"""Sending requests at the same moment, as several people pressing one button would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(actions: list[Callable[[], Any]], timeout: float = 30.0) -> list[Any]:
    """Run each action in its own thread, all released together by a barrier; their results
    in order (an action that raised gives its exception)."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def go(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as error:  # noqa: BLE001  handed back to the test to look at
            results[i] = error

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"a request sent at once did not come back within {timeout} s")
    return results
