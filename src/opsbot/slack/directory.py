"""Keeps the names of people who talk to opsbot (see opsbot.people), once per person and name."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from opsbot import people
from opsbot.clock import Clock
from opsbot.db import transaction

log = logging.getLogger(__name__)


def speaker(body: dict[str, Any]) -> tuple[str, str] | None:
    """The (user id, name) a slash command or an interaction carries, if any."""
    if body.get("user_id") and body.get("user_name"):
        return str(body["user_id"]), str(body["user_name"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("id"):
        name = user.get("username") or user.get("name")
        if name:
            return str(user["id"]), str(name)
    return None


def directory_middleware(engine: Engine, clock: Clock) -> Callable[..., BoltResponse]:
    seen: set[tuple[str, str]] = set()

    def keep_names(
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        found = speaker(req.body or {})
        if found and found not in seen:
            try:
                with transaction(engine) as session:
                    people.remember(session, user_id=found[0], name=found[1], at=clock())
                seen.add(found)
            except SQLAlchemyError:  # a name is a nicety: never fail a request for it
                log.warning("could not remember the name of %s", found[0], exc_info=True)
        return next()

    return keep_names
