"""Telemetry tables: API tokens, idempotency records, eval runs, raw batches, rollups.

Each confidence batch is archived raw as one row (audit and reprocessing; `archive` says how
it is encoded), and its scores are added to one histogram per (tag, UTC day) in the same
transaction; the dashboard reads only those histograms. Outcomes are kept one row per record
and rolled up per (tag, hour, version, outcome).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from opsbot.db import UTCDateTime

# Raw rows can pass 2**31; SQLite only auto-numbers an INTEGER PRIMARY KEY (64-bit anyway).
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class ApiToken(SQLModel, table=True):
    """A bearer token of the ingest API: only its sha256 is stored; revoked tokens stay listed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(max_length=200)  # space-separated, e.g. "ingest read"
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a batch sent with an Idempotency-Key, kept per token for replays."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_idempotency_token_key"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id")
    key: str = Field(max_length=255)
    body_hash: str = Field(max_length=64)
    status: int = 0  # 0 while the first request is still being stored
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class EvalRun(SQLModel, table=True):
    """One reported eval run of a suite, with its case counts (the cases are in EvalCase)."""

    __tablename__ = "eval_run"
    __table_args__ = (
        UniqueConstraint("suite", "run_id", name="uq_eval_run_suite_run"),
        Index("ix_eval_run_suite_at", "suite", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    suite: str = Field(max_length=100)
    tag: str = Field(max_length=100)
    run_id: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    cases_total: int
    cases_passed: int
    received_at: datetime = Field(sa_type=UTCDateTime)


class EvalCase(SQLModel, table=True):
    """One case of an eval run: its id (a fix's verification test id), passed, score."""

    __tablename__ = "eval_case"

    id: int | None = Field(default=None, primary_key=True)
    eval_run_id: int = Field(foreign_key="eval_run.id", index=True)
    case_id: str = Field(max_length=200, index=True)
    passed: bool
    score: float | None = None


class ConfidenceArchive(SQLModel, table=True):
    """One stored batch of confidence scores, raw as received (audit and reprocessing; the
    dashboard never reads it): `archive.unpack_scores(payload)` gives its records back."""

    __tablename__ = "confidence_archive"

    id: int | None = Field(
        default=None, sa_column=Column(_ROW_ID, primary_key=True, autoincrement=True)
    )
    received_at: datetime = Field(sa_type=UTCDateTime)
    first_at: datetime = Field(sa_type=UTCDateTime, index=True)  # the batch's earliest score
    last_at: datetime = Field(sa_type=UTCDateTime)
    records: int
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class OutcomeRecord(SQLModel, table=True):
    """A raw interaction outcome as received (audit and reprocessing)."""

    __tablename__ = "outcome_record"

    id: int | None = Field(
        default=None, sa_column=Column(_ROW_ID, primary_key=True, autoincrement=True)
    )
    tag: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    outcome: str = Field(max_length=20)
    cost: float = Field(sa_column=Column(Float, nullable=False))
    success: bool


class ConfidenceDay(SQLModel, table=True):
    """A tag's scores of one UTC day as a histogram: 1,000 bucket counts, packed (`archive`).

    A 35-day dashboard reads 35 rows per tag however many scores they hold.
    """

    __tablename__ = "confidence_day"

    day: datetime = Field(sa_type=UTCDateTime, primary_key=True)  # first: windows are ranges
    tag: str = Field(max_length=100, primary_key=True)
    scores: int = Field(sa_column=Column(BigInteger, nullable=False))  # the counts' sum
    counts: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class OutcomeRollup(SQLModel, table=True):
    """Decisions of a tag per hour, version that served them ("" when none was named) and
    outcome: how many, how many succeeded, what they cost, and the sums of squared cost and of
    the successes' cost (the variance of cost per success, for experiments)."""

    __tablename__ = "outcome_rollup"

    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)  # first: windows are ranges
    tag: str = Field(max_length=100, primary_key=True)
    version: str = Field(default="", max_length=100, primary_key=True)
    outcome: str = Field(max_length=20, primary_key=True)
    count: int = Field(sa_column=Column(BigInteger, nullable=False))
    successes: int = Field(sa_column=Column(BigInteger, nullable=False))
    cost: float = Field(sa_column=Column(Float, nullable=False))
    cost_squares: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    success_cost: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
