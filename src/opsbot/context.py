"""What every feature's Slack and scheduler wiring is handed: no globals anywhere."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from opsbot import outbox
from opsbot.clock import Clock, utcnow
from opsbot.db import transaction
from opsbot.delivery import Hooks
from opsbot.seams import (
    EvalRunHook,
    IngestHook,
    OccurrenceHook,
    RemediationDurations,
    RitualContextProvider,
    TriageProvider,
    no_remediation_durations,
)

if TYPE_CHECKING:
    from opsbot.config import Config
    from opsbot.scheduler import Scheduler
    from opsbot.settings import Settings
    from opsbot.slack.commands import CommandRouter

HomeSection = Callable[[Session, str], list[dict[str, Any]]]


@dataclass
class Context:
    """The composition root's product, shared by every feature's ``register``."""

    engine: Engine
    config: Config
    settings: Settings
    clock: Clock = utcnow
    hooks: Hooks = field(default_factory=Hooks)
    home_sections: list[tuple[int, HomeSection]] = field(default_factory=list)
    wake_delivery: Callable[[], None] = lambda: None
    commands: dict[str, CommandRouter] = field(default_factory=dict)
    api_routes: list[Any] = field(default_factory=list)  # starlette routes under /api/v1
    scheduler: Scheduler | None = None
    # a ritual's check-in shows the sections each provider returns (incidents: open ones,
    # unverified fixes, the period's incidents)
    ritual_context: list[RitualContextProvider] = field(default_factory=list)
    # the daily triage lists what each provider returns (incidents: regressions; dashboard:
    # metric breaches)
    triage_exceptions: list[TriageProvider] = field(default_factory=list)
    # ritual key -> hooks run when one of its occurrences is posted (the weekly review's chart)
    occurrence_posted: dict[str, list[OccurrenceHook]] = field(default_factory=dict)
    # run on every eval run telemetry stores (incidents: verify the fixes it tests)
    eval_run_hooks: list[EvalRunHook] = field(default_factory=list)
    # run after stored telemetry commits (the dashboard: post metrics that entered act)
    after_ingest: list[IngestHook] = field(default_factory=list)
    # incidents' time to remediation, for the dashboard (incidents set it in contribute)
    remediation_durations: RemediationDurations = no_remediation_durations

    @contextlib.contextmanager
    def tx(self) -> Iterator[Session]:
        """One unit of work; if it queued Slack effects, delivery is woken to send them at once."""
        with transaction(self.engine) as session:
            yield session
            queued = outbox.queued_in(session)
        if queued:
            self.wake_delivery()
