"""The configuration's typed models: each section, its defaults, and the checks on its values.

Every key is optional; a misspelt key is an error (``extra="forbid"``). Build a ``Config`` with
``load_config`` or ``parse_config`` to get every problem listed by key path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from opsbot.clock import TimeWindow
from opsbot.config.default_rituals import DEFAULT_RITUALS
from opsbot.config.fields import (
    INCIDENT_ADMINS,
    ChannelName,
    Manager,
    Owner,
    RoleName,
    Slug,
    Text,
    UserId,
)
from opsbot.config.references import BUILTIN_ROLES, reference_problems
from opsbot.config.surfaces import Surface, Webhook
from opsbot.errors import NotFound
from opsbot.schedules import Schedule, TimeZoneName, check_one_form, problem

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
Severity = Literal["sev1", "sev2", "sev3", "sev4"]
DEFAULT_INVITE_ROLES: dict[Severity, list[str]] = {
    "sev1": ["product-ops-lead", "governance-partner"],
    "sev2": ["product-ops-lead"],
    "sev3": [],
    "sev4": [],
}
DEFAULT_UPDATE_CADENCE: dict[Severity, int | None] = {
    "sev1": 30,
    "sev2": 60,
    "sev3": 240,
    "sev4": None,
}

# In the validation context when parse_config checks references on the raw data itself (to list
# them with the type errors), so that Config does not check them a second time.
REFERENCES_CHECKED = "references-checked"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Channels(_Section):
    """Where the bot speaks: channel names, without ``#``."""

    incidents: ChannelName = "incidents"
    customer_comms: ChannelName = "customer-comms"
    ops: ChannelName = "ai-ops"


class IncidentSettings(_Section):
    """Who may close incidents, who is pulled in per severity, and how often updates are due."""

    admins: list[UserId] = []
    invite_roles: dict[Severity, list[RoleName]] = Field(
        default_factory=lambda: dict(DEFAULT_INVITE_ROLES)
    )
    update_cadence_minutes: dict[Severity, PositiveInt | None] = Field(
        default_factory=lambda: dict(DEFAULT_UPDATE_CADENCE)
    )
    archive_on_close: bool = False
    lead_nudge_minutes: PositiveInt = 5
    unverified_fix_nudge_hours: PositiveInt = 24

    @field_validator("invite_roles")
    @classmethod
    def _keep_unlisted_invites(cls, value: dict[Severity, list[str]]) -> dict[Severity, list[str]]:
        return {**DEFAULT_INVITE_ROLES, **value}

    @field_validator("update_cadence_minutes")
    @classmethod
    def _keep_unlisted_cadences(
        cls, value: dict[Severity, int | None]
    ) -> dict[Severity, int | None]:
        return {**DEFAULT_UPDATE_CADENCE, **value}


class Ritual(_Section):
    """A recurring check-in: when, where, who owns it, what it asks and what it must decide."""

    key: Slug
    name: str = ""
    schedule: Schedule
    channel: ChannelName | None = None
    owners: list[Owner] = Field(min_length=1)
    window_minutes: PositiveInt = 240
    remind_after_minutes: list[PositiveInt] = [60]
    grace_minutes: NonNegativeInt = 120
    questions: list[Text] = Field(min_length=1)
    decision_outputs: list[Text] = []

    @field_validator("schedule", mode="before")
    @classmethod
    def _one_schedule_form(cls, value: Any) -> Any:
        return check_one_form(value)

    @model_validator(mode="after")
    def _reminders_inside_window(self) -> Ritual:
        if not self.name:
            self.name = self.key.replace("-", " ").capitalize()
        if "remind_after_minutes" not in self.model_fields_set:
            # default reminders that do not fit a short window are left out, not refused:
            # an error names only keys the person wrote
            fitting = [m for m in self.remind_after_minutes if m < self.window_minutes]
            self.remind_after_minutes = fitting
            return self
        window = f"window_minutes: {self.window_minutes}"
        if "window_minutes" not in self.model_fields_set:
            window += ", the default"
        for index, minutes in enumerate(self.remind_after_minutes):
            if minutes >= self.window_minutes:
                raise PydanticCustomError(
                    "opsbot_at",
                    "{problem}",
                    {
                        "at": f"remind_after_minutes[{index}]",
                        "problem": f"{minutes} is not before the occurrence closes ({window})",
                    },
                )
        return self


class DashboardThresholds(_Section):
    """Dashboard windows and thresholds; None leaves the dashboard's own default in place."""

    drift_watch: float | None = Field(default=None, ge=0)
    drift_act: float | None = Field(default=None, ge=0)
    drift_min_n: PositiveInt = 200
    current_window_days: PositiveInt = 7
    baseline_window_days: PositiveInt = 28
    remediation_window_days: PositiveInt = 90
    eval_threshold: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _watch_before_act(self) -> DashboardThresholds:
        watch, act = self.drift_watch, self.drift_act
        if watch is not None and act is not None and watch > act:
            raise PydanticCustomError(
                "opsbot_at",
                "{problem}",
                {
                    "at": "drift_watch",
                    "problem": f"{watch} is above drift_act ({act}); watch must come before act",
                },
            )
        return self


class IngestWindow(_Section):
    """Which record times the ingest API and `opsbot ingest` accept, around the time of receipt."""

    accept_past_days: PositiveInt = 400
    accept_future_minutes: NonNegativeInt = 60

    def around(self, now: datetime) -> TimeWindow:
        return TimeWindow(
            earliest=now - timedelta(days=self.accept_past_days),
            latest=now + timedelta(minutes=self.accept_future_minutes),
        )


def _default_rituals() -> list[Ritual]:
    return [Ritual.model_validate(ritual) for ritual in DEFAULT_RITUALS]


class Config(_Section):
    """The whole configuration; build it with ``load_config`` to get every problem listed."""

    timezone: TimeZoneName = "UTC"
    channels: Channels = Field(default_factory=Channels)
    team: dict[RoleName, list[UserId]] = {}
    # who may change team roles in Slack; anyone while no role named here has a holder
    team_managers: list[Manager] = ["role:product-ops-lead", INCIDENT_ADMINS]
    roles: dict[RoleName, Text] = {}
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    rituals: list[Ritual] = Field(default_factory=_default_rituals)
    dashboard: DashboardThresholds = Field(default_factory=DashboardThresholds)
    ingest: IngestWindow = Field(default_factory=IngestWindow)
    surfaces: list[Surface] = []
    webhooks: list[Webhook] = []

    @model_validator(mode="after")
    def _resolve_and_check(self, info: ValidationInfo) -> Config:
        for ritual in self.rituals:
            ritual.schedule.timezone = ritual.schedule.timezone or self.timezone
            ritual.channel = ritual.channel or self.channels.ops
        for surface in self.surfaces:
            surface.channel = surface.channel or self.channels.ops
        if not (info.context or {}).get(REFERENCES_CHECKED):
            problems = reference_problems(self.model_dump(mode="json"))
            if problems:
                raise problem("\n".join(problems))
        return self

    @property
    def known_roles(self) -> dict[str, str]:
        """Every role (built-in first, then the configured ones) with what it owns."""
        return {**BUILTIN_ROLES, **self.roles}

    def role_members(self, role: str) -> list[str]:
        """The Slack user ids holding ``role`` (empty when nobody does yet)."""
        if role not in self.known_roles:
            raise NotFound(
                f'unknown role "{role}"', hint=f"Known roles: {', '.join(self.known_roles)}."
            )
        return list(self.team.get(role, []))

    def resolve_owners(self, owners: Sequence[str]) -> list[str]:
        """User ids for a list of owners, ``role:X`` expanded through the team, duplicates once."""
        resolved: list[str] = []
        for owner in owners:
            members = (
                self.role_members(owner.removeprefix("role:"))
                if owner.startswith("role:")
                else [owner]
            )
            resolved.extend(member for member in members if member not in resolved)
        return resolved

    def cadence_minutes(self, severity: str) -> int | None:
        """Minutes between customer updates for a severity; None when no cadence applies."""
        for known in self.incidents.update_cadence_minutes:
            if known == severity:
                return self.incidents.update_cadence_minutes[known]
        raise ValueError(f"unknown severity {severity!r}; expected one of {SEVERITIES}")

    def surface(self, key: str) -> Surface:
        """The surface with ``key``; NotFound lists the keys there are."""
        for surface in self.surfaces:
            if surface.key == key:
                return surface
        keys = ", ".join(surface.key for surface in self.surfaces)
        raise NotFound(
            f'There is no surface "{key}".',
            hint=f"Surfaces: {keys}."
            if keys
            else "No surfaces are configured yet; add them under surfaces: in the configuration.",
        )

    def surface_of_tag(self, tag: str) -> Surface | None:
        """The surface whose telemetry carries ``tag``, if any."""
        return next((s for s in self.surfaces if tag in s.tags), None)

    def ritual(self, key: str) -> Ritual:
        """The ritual with ``key``; NotFound lists the keys there are."""
        for ritual in self.rituals:
            if ritual.key == key:
                return ritual
        keys = ", ".join(ritual.key for ritual in self.rituals)
        raise NotFound(f'no ritual "{key}"', hint=f"Ritual keys: {keys}.")
