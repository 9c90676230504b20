"""A command's ack is given exactly once: with its answer, or empty at the deadline."""

from __future__ import annotations

import queue
from typing import Any

from opsbot.slack.ack_deadline import AckDeadlines


def recorder() -> tuple[queue.Queue[dict[str, Any]], Any]:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    return acks, lambda **kwargs: acks.put(kwargs)


def test_an_answer_in_time_is_the_ack() -> None:
    """Answered before its deadline, the ack carries the answer and the deadline has no effect."""
    acks, ack = recorder()
    pending = AckDeadlines(60).watch(ack)
    assert pending.answer(text="done") is True
    pending.expire()  # what the watchdog does at the deadline
    assert acks.get_nowait() == {"text": "done"}
    assert acks.empty()


def test_work_past_its_deadline_is_acked_empty_once() -> None:
    """Still working at the deadline, the command is acked empty; its answer then says to send
    it some other way, and nothing is acked twice."""
    acks, ack = recorder()
    deadlines = AckDeadlines(0.05)
    slow, quick = deadlines.watch(ack), deadlines.watch(lambda **kwargs: None)
    assert quick.answer() is True
    assert acks.get(timeout=10) == {}  # the watchdog's empty ack of the slow one
    assert slow.answer(text="late") is False
    assert acks.empty()
