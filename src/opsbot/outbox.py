"""Durable Slack effects: services write them here, in their own transaction.

A job is an ordered list of Web API steps sent by the delivery worker. Arguments may refer to
what an earlier step of the same job returned (``{"$ref": "channel_id"}``) or to a message
posted earlier under a key (``{"$message": "incident:7:panel", "part": "ts"}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, update
from sqlmodel import Field, Session, SQLModel, select

from opsbot.clock import utcnow
from opsbot.db import UTCDateTime

PENDING, IN_FLIGHT, DONE, FAILED, SUPERSEDED = (
    "pending",
    "in_flight",
    "done",
    "failed",
    "superseded",
)
UNFINISHED = (PENDING, IN_FLIGHT)


class OutboxJob(SQLModel, table=True):
    """One Slack effect (or a chain of dependent ones), sent in order within its lane."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_lane", "lane", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=80)
    lane: str = Field(max_length=120)
    steps: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    results: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    step_index: int = 0
    inflight_step: int | None = None
    status: str = Field(default=PENDING, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=80)
    supersede_key: str | None = Field(default=None, max_length=200, index=True)
    posts_key: str | None = Field(default=None, max_length=200, index=True)
    on_fail: str | None = Field(default=None, max_length=80)
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SlackMessage(SQLModel, table=True):
    """Where a keyed message landed, so later edits, pins and thread replies find it."""

    __tablename__ = "slack_message"

    key: str = Field(primary_key=True, max_length=200)
    channel: str = Field(max_length=40)
    ts: str = Field(max_length=40)
    posted_at: datetime = Field(sa_type=UTCDateTime)


def step(
    method: str,
    /,
    *,
    key: str | None = None,
    save: dict[str, str] | None = None,
    hook: str | None = None,
    on_error: str | None = None,
    **args: Any,
) -> dict[str, Any]:
    """One Web API call of a job. ``save`` copies response fields (dotted paths) into results."""
    spec: dict[str, Any] = {"method": method, "args": args}
    if key:
        spec["key"] = key
    if save:
        spec["save"] = save
    if hook:
        spec["hook"] = hook
    if on_error:
        spec["on_error"] = on_error
    return spec


def ref(name: str) -> dict[str, str]:
    """An argument taken from an earlier step's saved result."""
    return {"$ref": name}


def message_ref(key: str, part: str) -> dict[str, str]:
    """An argument taken from a message posted earlier under ``key`` ("channel" or "ts")."""
    return {"$message": key, "part": part}


def enqueue(
    session: Session,
    *,
    kind: str,
    lane: str,
    steps: list[dict[str, Any]],
    supersede_key: str | None = None,
    on_fail: str | None = None,
    results: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> OutboxJob:
    """Add a job to the outbox in the caller's transaction.

    With ``supersede_key``, an older job with the same key that has not started yet is dropped:
    only the newest rendering of a message needs to reach Slack.
    """
    when = now or utcnow()
    if supersede_key:
        session.exec(
            update(OutboxJob)
            .where(OutboxJob.supersede_key == supersede_key)  # type: ignore[arg-type]
            .where(OutboxJob.status == PENDING)  # type: ignore[arg-type]
            .where(OutboxJob.inflight_step.is_(None))  # type: ignore[union-attr]
            .values(status=SUPERSEDED, updated_at=when)
        )
    posts_key = next((s["key"] for s in steps if s.get("key")), None)
    job = OutboxJob(
        kind=kind,
        lane=lane,
        steps=steps,
        results=dict(results or {}),
        next_attempt_at=when,
        supersede_key=supersede_key,
        posts_key=posts_key,
        on_fail=on_fail,
        created_at=when,
        updated_at=when,
    )
    session.add(job)
    session.flush()
    session.info[_QUEUED] = True
    return job


_QUEUED = "opsbot.outbox.queued"


def queued_in(session: Session) -> bool:
    """Whether this unit of work added jobs to the outbox (so delivery should wake up)."""
    return bool(session.info.get(_QUEUED))


def post(
    session: Session,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    key: str | None = None,
    thread_key: str | None = None,
    kind: str = "post",
    **extra: Any,
) -> OutboxJob:
    """Post a message (in the thread of a keyed message, if given), remembered under ``key``."""
    args: dict[str, Any] = {"channel": channel, "text": text, **extra}
    if blocks is not None:
        args["blocks"] = blocks
    if thread_key:
        args["thread_ts"] = message_ref(thread_key, "ts")
        args["channel"] = message_ref(thread_key, "channel")
    return enqueue(
        session, kind=kind, lane=channel, steps=[step("chat.postMessage", key=key, **args)]
    )


def update_message(
    session: Session, *, key: str, lane: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> OutboxJob:
    """Edit the message posted under ``key`` in place; a newer edit replaces an unsent one."""
    args: dict[str, Any] = {
        "channel": message_ref(key, "channel"),
        "ts": message_ref(key, "ts"),
        "text": text,
    }
    if blocks is not None:
        args["blocks"] = blocks
    return enqueue(
        session,
        kind="update",
        lane=lane,
        supersede_key=f"update:{key}",
        steps=[step("chat.update", **args)],
    )


def posted(session: Session, key: str) -> SlackMessage | None:
    """The message posted under ``key``, once delivery has sent it."""
    return session.get(SlackMessage, key)


def depth(session: Session) -> int:
    """How many jobs wait to be sent."""
    from sqlalchemy import func

    return int(
        session.exec(
            select(func.count()).select_from(OutboxJob).where(OutboxJob.status.in_(UNFINISHED))  # type: ignore[attr-defined]
        ).one()
    )


def failures(session: Session) -> list[OutboxJob]:
    """Jobs that ended with a permanent Slack error, newest first."""
    return list(
        session.exec(
            select(OutboxJob).where(OutboxJob.status == FAILED).order_by(OutboxJob.id.desc())  # type: ignore[union-attr]
        )
    )


def due_by(session: Session, moment: datetime) -> int:
    """How many unfinished jobs are being sent or due by ``moment`` (the console waits on them)."""
    from sqlalchemy import func, or_
    from sqlmodel import col

    due = or_(
        col(OutboxJob.status) == IN_FLIGHT,
        (col(OutboxJob.status) == PENDING) & (col(OutboxJob.next_attempt_at) <= moment),
    )
    return int(session.exec(select(func.count()).select_from(OutboxJob).where(due)).one())
