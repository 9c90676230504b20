"""Surfaces (one AI behaviour that ships on its own) and the webhooks told of their rollouts.

A surface names its owners, channel, telemetry tags, pre-deploy gates per eval suite, rollout
plan and approvers; RELEASES.md is the contract. The checks across sections (roles named in
owners and approvers exist, keys and tags unique) are in ``references``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from opsbot.config.fields import ChannelName, Owner
from opsbot.schedules import problem

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NAME = re.compile(r"^\S+$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
MAX_KEY = 60


def _surface_key(value: str) -> str:
    if len(value) > MAX_KEY or not _SLUG.match(value):
        raise problem(
            f'"{value}" must be lowercase words joined by "-" (at most {MAX_KEY} characters), '
            "like refund-agent"
        )
    return value


def _word(value: str) -> str:
    if not value or len(value) > 100 or not _NAME.match(value):
        raise problem(f'"{value}" must be one word of at most 100 characters (no spaces)')
    return value


def _case_id(value: str) -> str:
    if not value or len(value) > 200 or not _NAME.match(value):
        raise problem(f'"{value}" is not an eval case id (one word of at most 200 characters)')
    return value


def _env_name(value: str) -> str:
    if not _ENV.match(value):
        raise problem(
            f'"{value}" is not an environment variable name (capitals, digits and _, '
            "like OPSBOT_WEBHOOK_SECRET); the secret itself never goes in this file"
        )
    return value


def _webhook_url(value: str) -> str:
    found = webhook_url_problem(value)
    if found:
        raise problem(found)
    return value


def _at(at: str, what: str) -> PydanticCustomError:
    return PydanticCustomError("opsbot_at", "{problem}", {"at": at, "problem": what})


SurfaceKey = Annotated[str, AfterValidator(_surface_key)]
Word = Annotated[str, AfterValidator(_word)]
CaseId = Annotated[str, AfterValidator(_case_id)]
EnvName = Annotated[str, AfterValidator(_env_name)]
WebhookUrl = Annotated[str, AfterValidator(_webhook_url)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GatePolicy(_Section):
    """When one eval suite blocks a release (a null threshold is not checked)."""

    min_pass_rate: Fraction | None = None
    max_drop: Fraction | None = None
    max_regressed_cases: NonNegativeInt | None = None
    required_cases: list[CaseId] = []
    repeats_min_pass: Fraction | None = None  # share of a repeated case's runs that must pass


class RolloutStep(_Section):
    """A share of the traffic (percent of units) held for ``minutes``."""

    percent: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
    minutes: PositiveInt | None = None

    @model_validator(mode="after")
    def _whole_buckets(self) -> RolloutStep:
        if round(self.percent * 100) != self.percent * 100:
            raise _at("percent", f"{self.percent} is finer than the buckets (0.01 percent)")
        return self


class RateGuard(_Section):
    """A rate, candidate vs live: a regression over ``margin`` fails; ``ceiling`` trips at once."""

    margin: Fraction
    ceiling: Fraction | None = None


class CostGuard(_Section):
    """Cost per successful outcome: candidate over live by more than ``margin`` (relative)."""

    margin: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class DriftGuard(_Section):
    """Confidence drift between the arms: PSI at or over ``psi_act`` fails."""

    psi_act: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Guards(_Section):
    """The guard metrics of a rollout step; null switches one off."""

    override_rate: RateGuard | None = Field(default_factory=lambda: RateGuard(margin=0.01))
    escalation_rate: RateGuard | None = Field(default_factory=lambda: RateGuard(margin=0.01))
    failure_rate: RateGuard | None = Field(
        default_factory=lambda: RateGuard(margin=0.01, ceiling=0.10)
    )
    cost_to_outcome: CostGuard | None = Field(default_factory=lambda: CostGuard(margin=0.15))
    drift: DriftGuard | None = Field(default_factory=lambda: DriftGuard(psi_act=0.25))


def _default_steps() -> list[RolloutStep]:
    plan: list[dict[str, Any]] = [
        {"percent": 1, "minutes": 30},
        {"percent": 5, "minutes": 60},
        {"percent": 25, "minutes": 120},
        {"percent": 50, "minutes": 240},
        {"percent": 100},
    ]
    return [RolloutStep.model_validate(step) for step in plan]


class Rollout(_Section):
    """The staged plan: growing shares, ending at 100 (promoted), each share held its minutes."""

    steps: list[RolloutStep] = Field(default_factory=_default_steps)
    min_samples: PositiveInt = 200
    max_minutes: PositiveInt = 1440
    auto_advance: bool = False
    guards: Guards = Field(default_factory=Guards)

    @model_validator(mode="after")
    def _a_plan_that_ends_promoted(self) -> Rollout:
        steps = self.steps
        if len(steps) < 2:
            raise _at(
                "steps",
                "needs at least one share under 100 before the final {percent: 100}",
            )
        for index, step in enumerate(steps):
            if index and step.percent <= steps[index - 1].percent:
                raise _at(
                    f"steps[{index}].percent",
                    f"{step.percent:g} is not above the step before "
                    f"({steps[index - 1].percent:g}); shares only grow",
                )
            last = index == len(steps) - 1
            if last and step.percent != 100:
                raise _at(
                    f"steps[{index}].percent",
                    f"the last step must be 100 (promoted), not {step.percent:g}",
                )
            if not last and step.minutes is None:
                raise _at(
                    f"steps[{index}].minutes",
                    "is required: every step before the last holds its share this long",
                )
            if last and step.minutes is not None:
                raise _at(
                    f"steps[{index}].minutes",
                    "the last step (100) is the promotion itself and holds nothing; remove it",
                )
        return self

    @property
    def canary_steps(self) -> list[RolloutStep]:
        """The steps a candidate serves before it is promoted (all but the final 100)."""
        return self.steps[:-1]


class Surface(_Section):
    """One AI behaviour that ships on its own, with its gates, rollout plan and approvers."""

    key: SurfaceKey
    name: str = ""
    owners: list[Owner] = Field(min_length=1)
    channel: ChannelName | None = None
    autonomy: str = ""
    tags: list[Word] = []
    live: Word | None = None
    unit: Word = "conversation_id"
    gates: dict[Word, GatePolicy] = {}
    rollout: Rollout = Field(default_factory=Rollout)
    approvers: list[Owner] = []

    @model_validator(mode="after")
    def _defaults(self) -> Surface:
        self.name = self.name.strip() or self.key.replace("-", " ").capitalize()
        if not self.tags:
            self.tags = [self.key]
        if not self.approvers:
            self.approvers = list(self.owners)
        return self


class Webhook(_Section):
    """A URL told of every rollout change, signed with the secret in ``secret_env``."""

    url: WebhookUrl
    secret_env: EnvName


def webhook_url_problem(url: str) -> str | None:
    """Why ``url`` cannot receive webhooks (https only, plain http on loopback), or None."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return f'"{url}" is not an http(s) URL, like https://deploy.example.com/opsbot'
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return f'"{url}" must use https:// (plain http is only for a loopback address)'
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
