"""The console on the test's database, with the stand-in's channels and people."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from . import Typist


@pytest.fixture
def typist(slack: Any, bot: Any) -> Iterator[Typist]:
    """@you at the console in #general, with alice, bob, carol and dave in the workspace."""
    for name in ("alice", "bob", "carol", "dave"):
        slack.person(name)
    yield Typist(slack, bot)
