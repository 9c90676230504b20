"""Incident tables and the queries on them; the only incident module that writes select()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from opsbot.db import UTCDateTime, insert_ignore
from opsbot.incidents.model import Severity, Status

OPEN_STATUSES = (Status.DECLARED, Status.CONTAINED)
SEVERITY_ORDER = tuple(s.value for s in Severity)  # worst first


class Incident(SQLModel, table=True):
    """One incident: its lifecycle timestamps feed the dashboard (time to contain/remediate)."""

    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = Field(default=None, unique=True)  # equals id; set once flushed
    title: str = Field(max_length=150)
    description: str | None = Field(default=None, sa_column=Column(Text))
    severity: str = Field(max_length=10, index=True)
    status: str = Field(default=Status.DECLARED, max_length=20, index=True)
    channel_id: str | None = Field(default=None, max_length=40, index=True)
    channel_name: str = Field(max_length=80)
    declarer: str = Field(max_length=20)
    lead: str | None = Field(default=None, max_length=20)
    comms: str | None = Field(default=None, max_length=20)
    scribe: str | None = Field(default=None, max_length=20)
    customer_impact: bool = False
    ai_surface: str | None = Field(default=None, max_length=200)
    containment: str | None = Field(default=None, sa_column=Column(Text))
    declared_at: datetime = Field(sa_type=UTCDateTime)
    contained_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_customer_update_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    remediated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    creation_error: str | None = Field(default=None, sa_column=Column(Text))

    @property
    def acting_lead(self) -> str:
        """The declarer leads until someone is given the lead role."""
        return self.lead or self.declarer


class TimelineEvent(SQLModel, table=True):
    """Every change, with actor and time; pinned messages carry their source ts (once each)."""

    __tablename__ = "incident_event"
    __table_args__ = (
        UniqueConstraint("incident_id", "source_ts", name="uq_incident_event_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str | None = Field(default=None, max_length=20)
    kind: str = Field(max_length=30)
    text: str = Field(sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_ts: str | None = Field(default=None, max_length=40)


class Finding(SQLModel, table=True):
    """A root-cause finding for one layer, or the layer ruled out with a reason."""

    __tablename__ = "incident_finding"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    layer: str = Field(max_length=20)
    verdict: str = Field(max_length=20)  # model.LayerVerdict: finding | ruled-out
    text: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=20)
    at: datetime = Field(sa_type=UTCDateTime)


class Fix(SQLModel, table=True):
    """A fix, numbered within its incident, with the test that verifies it."""

    __tablename__ = "incident_fix"
    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_incident_fix_number"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    number: int
    description: str = Field(sa_column=Column(Text, nullable=False))
    test_id: str = Field(max_length=200, index=True)
    actor: str = Field(max_length=20)
    created_at: datetime = Field(sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    verified_by: str | None = Field(default=None, max_length=200)


class CustomerUpdate(SQLModel, table=True):
    """A customer-facing update as posted."""

    __tablename__ = "incident_customer_update"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    state: str = Field(max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=20)
    at: datetime = Field(sa_type=UTCDateTime)


class Postmortem(SQLModel, table=True):
    """The postmortem published at close (Markdown)."""

    __tablename__ = "incident_postmortem"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    markdown: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


class NudgeLog(SQLModel, table=True):
    """A nudge sent, so the next one waits for its own moment."""

    __tablename__ = "incident_nudge"
    __table_args__ = (Index("ix_incident_nudge_kind", "incident_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    kind: str = Field(max_length=20)
    at: datetime = Field(sa_type=UTCDateTime)


# ---- queries ------------------------------------------------------------------------------
def by_channel(session: Session, *, channel_id: str) -> Incident | None:
    return session.exec(select(Incident).where(Incident.channel_id == channel_id)).first()


def by_number(session: Session, *, number: int) -> Incident | None:
    return session.exec(select(Incident).where(Incident.number == number)).first()


def lock(session: Session, *, incident_id: int) -> Incident | None:
    """The incident row, locked for this transaction on PostgreSQL (two clicks at once)."""
    query = select(Incident).where(Incident.id == incident_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def open_incidents(session: Session) -> list[Incident]:
    """Declared or contained incidents, worst severity first, then oldest first."""
    rows = session.exec(
        select(Incident)
        .where(col(Incident.status).in_(OPEN_STATUSES))
        .where(col(Incident.creation_error).is_(None))
        .order_by(col(Incident.severity), col(Incident.declared_at))
    ).all()
    return list(rows)


def recent(session: Session, *, limit: int = 20) -> list[Incident]:
    return list(session.exec(select(Incident).order_by(col(Incident.id).desc()).limit(limit)))


def with_role(session: Session, *, user_id: str) -> list[Incident]:
    """Incidents where the person is lead (acting or assigned), comms or scribe."""
    query = (
        select(Incident)
        .where(
            (col(Incident.lead) == user_id)
            | (col(Incident.comms) == user_id)
            | (col(Incident.scribe) == user_id)
            | ((col(Incident.declarer) == user_id) & col(Incident.lead).is_(None))
        )
        .order_by(col(Incident.id).desc())
    )
    return list(session.exec(query))


def all_incidents(session: Session) -> list[Incident]:
    return list(session.exec(select(Incident).order_by(col(Incident.id))))


def declared_between(session: Session, *, start: datetime, end: datetime) -> list[Incident]:
    """Incidents declared in [start, end), oldest first."""
    query = (
        select(Incident)
        .where(col(Incident.declared_at) >= start, col(Incident.declared_at) < end)
        .order_by(col(Incident.declared_at), col(Incident.id))
    )
    return list(session.exec(query))


def timeline(session: Session, *, incident_id: int) -> list[TimelineEvent]:
    return list(
        session.exec(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == incident_id)
            .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
        )
    )


def add_event(
    session: Session,
    *,
    incident_id: int,
    at: datetime,
    actor: str | None,
    kind: str,
    text: str,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        TimelineEvent(
            incident_id=incident_id, at=at, actor=actor, kind=kind, text=text, data=dict(data or {})
        )
    )


def add_pinned_event(
    session: Session,
    *,
    incident_id: int,
    at: datetime,
    actor: str | None,
    text: str,
    data: dict[str, Any],
    source_ts: str,
) -> bool:
    """Add a pinned message once per (incident, message ts); True when this call added it."""
    return insert_ignore(
        session,
        TimelineEvent,
        {
            "incident_id": incident_id,
            "at": at,
            "actor": actor,
            "kind": "pin",
            "text": text,
            "data": data,
            "source_ts": source_ts,
        },
    )


def findings(session: Session, *, incident_id: int) -> list[Finding]:
    return list(
        session.exec(
            select(Finding)
            .where(Finding.incident_id == incident_id)
            .order_by(col(Finding.at), col(Finding.id))
        )
    )


def fixes(session: Session, *, incident_id: int) -> list[Fix]:
    return list(
        session.exec(select(Fix).where(Fix.incident_id == incident_id).order_by(col(Fix.number)))
    )


def fix(session: Session, *, incident_id: int, number: int) -> Fix | None:
    return session.exec(
        select(Fix).where(Fix.incident_id == incident_id).where(Fix.number == number)
    ).first()


def next_fix_number(session: Session, *, incident_id: int) -> int:
    top = session.exec(select(func.max(Fix.number)).where(Fix.incident_id == incident_id)).one()
    return int(top or 0) + 1


def unverified_fixes(session: Session) -> list[Fix]:
    """Fixes of open incidents still waiting for their verification test."""
    query = (
        select(Fix)
        .join(Incident, col(Incident.id) == Fix.incident_id)
        .where(col(Fix.verified_at).is_(None))
        .where(col(Incident.status).in_(OPEN_STATUSES))
        .order_by(col(Fix.incident_id), col(Fix.number))
    )
    return list(session.exec(query))


def closed_fixes(session: Session) -> list[tuple[Incident, Fix]]:
    """(incident, fix) pairs of every closed incident, in incident then fix order."""
    query = (
        select(Incident, Fix)
        .join(Fix, col(Fix.incident_id) == Incident.id)
        .where(Incident.status == Status.CLOSED)
        .order_by(col(Incident.id), col(Fix.number))
    )
    return [(i, f) for i, f in session.exec(query)]


def customer_updates(session: Session, *, incident_id: int) -> list[CustomerUpdate]:
    return list(
        session.exec(
            select(CustomerUpdate)
            .where(CustomerUpdate.incident_id == incident_id)
            .order_by(col(CustomerUpdate.at), col(CustomerUpdate.id))
        )
    )


def last_nudge(session: Session, *, incident_id: int, kind: str) -> datetime | None:
    value = session.exec(
        select(func.max(NudgeLog.at))
        .where(NudgeLog.incident_id == incident_id)
        .where(NudgeLog.kind == kind)
    ).one()
    return value


def postmortem(session: Session, *, incident_id: int) -> Postmortem | None:
    return session.get(Postmortem, incident_id)


def remediation_durations(
    session: Session, *, since: datetime, until: datetime | None = None
) -> dict[str, list[float]]:
    """Seconds from declared to the last fix verified, per severity, of the incidents resolved
    in [since, until): what ``ctx.remediation_durations`` gives the dashboard."""
    query = select(Incident.severity, Incident.declared_at, Incident.remediated_at).where(
        col(Incident.resolved_at) >= since, col(Incident.remediated_at).is_not(None)
    )
    if until is not None:
        query = query.where(col(Incident.resolved_at) < until)
    found: dict[str, list[float]] = {}
    for severity, declared, remediated in session.exec(query).all():
        if remediated is not None:
            seconds = max(0.0, (remediated - declared).total_seconds())
            found.setdefault(severity, []).append(seconds)
    return found
