"""A slash command's answer rides in its ack when ready in time, else follows the ack."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def table_locked(database_url: str, table: str) -> Iterator[None]:
    """Hold ``table`` (all of SQLite) so that a command touching it waits until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database or "", isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        yield
        conn.rollback()
    engine.dispose()


def test_a_command_that_reads_the_database_answers_in_its_ack(bot: Any, slack: Any) -> None:
    """`/ops team` comes back in the ack itself, shown only to the typist: no second request."""
    alice = slack.person("alice")
    response = alice.command("/ops", "team", channel="general")
    assert response.status == 200
    assert "Team roles" in response.body_text
    [reply] = alice.ephemerals()
    assert reply.text.startswith("*Team roles*")
    assert slack.calls("response_url") == []
    assert slack.messages("general") == []


def test_a_refusal_rides_in_the_ack(bot: Any, slack: Any) -> None:
    """A refusal after parsing (an unknown ritual) is the ack's body, with what to type."""
    alice = slack.person("alice")
    response = alice.command("/ritual", "run no-such-ritual", channel="general")
    assert "no-such-ritual" in response.body_text
    assert "daily-exception-triage" in alice.ephemerals()[0].text
    assert slack.calls("response_url") == []


def test_an_answer_that_misses_the_ack_budget_follows_through_the_response_url(
    bot: Any, slack: Any, database_url: str
) -> None:
    """A command held up past the ack budget is acked empty at once, then answered when done."""
    alice = slack.person("alice")
    alice.command("/ops", "help", channel="general")  # opsbot has kept her name before the lock
    with table_locked(database_url, "ritual_occurrence"):
        response = alice.command("/ritual", "run daily-exception-triage", channel="general")
        assert response.status == 200
        assert response.body_text == ""  # acked while the work still waits on the lock
        assert len(alice.ephemerals()) == 1  # the help
    reply = slack.wait_for(lambda: alice.ephemerals()[1:], message="the late answer never came")
    assert reply[0].text.startswith("Started Daily exception triage")
    assert len(slack.calls("response_url")) == 1
