"""The YAML configuration (``OPSBOT_CONFIG``): typed models, the loader, the documented defaults.

Every key is optional; a misspelt key is an error. ``load_config`` lists every problem, one line
each, named by its key path in YAML terms (``rituals[1].schedule.cron: …``).
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from opsbot.errors import ConfigError, NotFound
from opsbot.rituals.defaults import DEFAULT_RITUALS
from opsbot.rituals.schedule import (
    CronSchedule,
    EveryWeeksSchedule,
    Schedule,
    TimeZoneName,
    check_one_form,
    problem,
)

BUILTIN_ROLES: dict[str, str] = {
    "product-ops-lead": "Owns the operating rhythm: daily triage, incident command, the retro.",
    "eval-engineer": "Owns eval suites, grader quality and the pre-deploy gate thresholds.",
    "workflow-analyst": "Owns workflow maps, override and escalation analysis, the weekly review.",
    "governance-partner": "Owns policy, risk and customer-trust calls; joins sev1s and the retro.",
}
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

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CHANNEL = re.compile(r"^[a-z0-9_-]{1,80}$")
_CHECKED = "references-checked"  # validation context flag: load_config checked roles and keys


def _user_id(value: str) -> str:
    if not _USER_ID.match(value):
        raise problem(f'"{value}" is not a Slack user id (like U01ABCDEF)')
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise problem(f'"{value}" must be lowercase words joined by "-", like eval-engineer')
    return value


def _channel(value: str) -> str:
    if value.startswith("#"):
        raise problem(f'"{value}" must be written without "#": {value.lstrip("#")}')
    if not _CHANNEL.match(value):
        raise problem(
            f'"{value}" is not a Slack channel name '
            "(lowercase letters, digits, - and _; at most 80 characters)"
        )
    return value


def _owner(value: str) -> str:
    if value.startswith("role:"):
        _slug(value.removeprefix("role:"))
    elif not _USER_ID.match(value):
        raise problem(f'"{value}" is neither "role:<role>" nor a Slack user id (like U01ABCDEF)')
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


UserId = Annotated[str, AfterValidator(_user_id)]
RoleName = Annotated[str, AfterValidator(_slug)]
ChannelName = Annotated[str, AfterValidator(_channel)]
Owner = Annotated[str, AfterValidator(_owner)]
Text = Annotated[str, AfterValidator(_text)]


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

    key: Annotated[str, AfterValidator(_slug)]
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
        for index, minutes in enumerate(self.remind_after_minutes):
            if minutes >= self.window_minutes:
                raise PydanticCustomError(
                    "opsbot_at",
                    "{problem}",
                    {
                        "at": f"remind_after_minutes[{index}]",
                        "problem": f"{minutes} is not before the occurrence closes "
                        f"(window_minutes: {self.window_minutes})",
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


def _default_rituals() -> list[Ritual]:
    return [Ritual.model_validate(ritual) for ritual in DEFAULT_RITUALS]


class Config(_Section):
    """The whole configuration; build it with ``load_config`` to get every problem listed."""

    timezone: TimeZoneName = "UTC"
    channels: Channels = Field(default_factory=Channels)
    team: dict[RoleName, list[UserId]] = {}
    roles: dict[RoleName, Text] = {}
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    rituals: list[Ritual] = Field(default_factory=_default_rituals)
    dashboard: DashboardThresholds = Field(default_factory=DashboardThresholds)

    @model_validator(mode="after")
    def _resolve_and_check(self, info: ValidationInfo) -> Config:
        for ritual in self.rituals:
            ritual.schedule.timezone = ritual.schedule.timezone or self.timezone
            ritual.channel = ritual.channel or self.channels.ops
        if not (info.context or {}).get(_CHECKED):
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

    def ritual(self, key: str) -> Ritual:
        """The ritual with ``key``; NotFound lists the keys there are."""
        for ritual in self.rituals:
            if ritual.key == key:
                return ritual
        keys = ", ".join(ritual.key for ritual in self.rituals)
        raise NotFound(f'no ritual "{key}"', hint=f"Ritual keys: {keys}.")


def reference_problems(data: Mapping[str, Any]) -> list[str]:
    """Unknown roles and duplicate ritual keys in raw configuration data (wrong types ignored)."""
    roles = data.get("roles")
    extra = [role for role in roles if isinstance(role, str)] if isinstance(roles, dict) else []
    known = list(dict.fromkeys([*BUILTIN_ROLES, *extra]))
    problems: list[str] = []

    def check(path: str, role: Any) -> None:
        if isinstance(role, str) and role not in known:
            close = difflib.get_close_matches(role, known, n=1)
            guess = f" (did you mean {close[0]}?)" if close else ""
            problems.append(
                f'{path}: unknown role "{role}"{guess}; known roles: {", ".join(known)} '
                "(define new ones under roles:)"
            )

    team = data.get("team")
    for role in team if isinstance(team, dict) else []:
        check(f"team.{role}", role)
    incidents = data.get("incidents")
    invites = incidents.get("invite_roles") if isinstance(incidents, dict) else None
    for severity, listed in invites.items() if isinstance(invites, dict) else []:
        for index, role in enumerate(listed if isinstance(listed, list) else []):
            check(f"incidents.invite_roles.{severity}[{index}]", role)
    rituals = data.get("rituals")
    first_with_key: dict[str, int] = {}
    for index, ritual in enumerate(rituals if isinstance(rituals, list) else []):
        if not isinstance(ritual, dict):
            continue
        owners = ritual.get("owners")
        for position, owner in enumerate(owners if isinstance(owners, list) else []):
            if isinstance(owner, str) and owner.startswith("role:"):
                check(f"rituals[{index}].owners[{position}]", owner.removeprefix("role:"))
        key = ritual.get("key")
        if isinstance(key, str) and key in first_with_key:
            problems.append(
                f'rituals[{index}].key: "{key}" is already the key of '
                f"rituals[{first_with_key[key]}]; ritual keys must be unique"
            )
        elif isinstance(key, str):
            first_with_key[key] = index
    return problems


def load_config(path: str | None) -> Config:
    """The configuration in the YAML file at ``path``; None gives the built-in defaults.

    Raises ConfigError listing every problem, one line each, named by its key path.
    """
    if path is None:
        return Config()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file",
            hint="Set OPSBOT_CONFIG to an existing YAML file, or unset it for the defaults.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    return parse_config(text, source=path)


def parse_config(text: str, *, source: str = "configuration") -> Config:
    """The configuration in YAML ``text``; ``source`` names it in errors about the YAML itself."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(source, exc), hint=_HINT) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the configuration must be a mapping of keys "
            f"({', '.join(Config.model_fields)}), not {_show(data)}",
            hint=_HINT,
        )
    problems: list[str] = []
    config: Config | None = None
    try:
        config = Config.model_validate(data, context={_CHECKED: True})
    except ValidationError as exc:
        problems.extend(_describe(error) for error in exc.errors())
    problems.extend(reference_problems(data))
    if problems or config is None:
        order = list(dict.fromkeys([*map(str, data), *Config.model_fields]))  # file order
        problems = sorted(dict.fromkeys(problems), key=lambda line: _line_order(line, order))
        raise ConfigError("\n".join(problems), hint=_HINT)
    return config


_HINT = "Fix these keys and start again; the README's configuration section documents every key."


def _line_order(line: str, order: list[str]) -> tuple[int, list[int]]:
    """Top-level keys in the file's order, then list positions in numeric order."""
    path = line.split(": ", 1)[0]
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    rank = order.index(top) if top in order else len(order)
    return rank, [int(index) for index in re.findall(r"\[(\d+)\]", path)]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        try:
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f'duplicate key "{key}" (first given on line {seen[key] + 1})',
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        except TypeError:  # an unhashable key; SafeLoader refuses it with its own message
            pass
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _yaml_problem(source: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = getattr(exc, "problem", None) or str(exc)
    return f"{source}: {where}invalid YAML: {what}"


def _describe(error: ErrorDetails) -> str:
    """One pydantic error as ``key.path: what is wrong``, in the configuration's own terms."""
    loc = error["loc"]
    path = _path(loc)
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "opsbot_at":
        path, what = _join(path, str(ctx["at"])), str(ctx["problem"])
    elif kind == "opsbot":
        what = str(ctx["problem"])
    elif kind == "missing":
        what = "is required"
    elif kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        what = "unknown key; " + (
            f"did you mean {close[0]}?" if close else f"expected one of: {', '.join(allowed)}"
        )
    elif kind == "literal_error":
        what = f"{_show(value)} is not one of {str(ctx.get('expected', '')).replace(chr(39), '')}"
    elif kind == "too_short":
        what = f"needs at least {ctx.get('min_length', 1)} item(s)"
    elif kind in {"model_type", "dict_type", "model_attributes_type"}:
        what = f"should be a mapping of keys, not {_show(value)}"
    else:
        message = error["msg"].removeprefix("Value error, ")
        what = re.sub(r"^Input should", f"{_show(value)} should", message)
    return f"{path}: {what}" if path else what


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if part == "[key]" or part in _SCHEDULE_FORMS:
            continue
        path = _join(path, f"[{part}]" if isinstance(part, int) else part)
    return path


def _join(path: str, part: str) -> str:
    return path + part if not path or part.startswith("[") else f"{path}.{part}"


_SCHEDULE_FORMS: dict[str, type[BaseModel]] = {
    "cron-form": CronSchedule,
    "every-weeks-form": EveryWeeksSchedule,
}


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class validating the mapping at ``loc``, to list the keys it accepts."""
    current: Any = Config
    for part in loc:
        if isinstance(part, str) and part in _SCHEDULE_FORMS:
            current = _SCHEDULE_FORMS[part]
            continue
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        elif get_origin(current) is list and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _show(value: Any) -> str:
    """A value as the person wrote it in YAML, shortened."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _yaml_scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _ritual_yaml(ritual: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for key, value in ritual.items():
        lead = "  - " if not lines else "    "
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items())
            lines.append(f"{lead}{key}: {{{inner}}}")
        elif isinstance(value, list) and key in {"questions", "decision_outputs"}:
            lines.append(f"{lead}{key}:")
            lines.extend(f"      - {_yaml_scalar(item)}" for item in value)
        elif isinstance(value, list):
            lines.append(f"{lead}{key}: [{', '.join(_yaml_scalar(item) for item in value)}]")
        else:
            lines.append(f"{lead}{key}: {_yaml_scalar(value)}")
    return "\n".join(lines)


DEFAULT_CONFIG_YAML = (
    """\
# opsbot configuration (OPSBOT_CONFIG names this file). Every key is optional; a key you leave
# out keeps the default shown here, and a misspelt key stops the bot with its key path.

timezone: UTC                      # IANA time zone of ritual schedules that do not name one

channels:                          # channel names, without "#"
  incidents: incidents             # incident announcements
  customer_comms: customer-comms   # customer updates, copied from incident channels
  ops: ai-ops                      # ritual check-ins and metric alerts; rituals' default channel

team: {}                           # role -> Slack user ids, for example:
#  product-ops-lead: [U01ALICE01]
#  governance-partner: [U03CAROL01]

roles: {}                          # extra roles (name: what the role owns); the built-in ones:
#  product-ops-lead: the operating rhythm (daily triage, incident command, the retro)
#  eval-engineer: eval suites, grader quality, pre-deploy gate thresholds
#  workflow-analyst: workflow maps, override and escalation analysis, the weekly review
#  governance-partner: policy, risk and customer-trust calls
#  for example:  data-steward: retrieval corpora and their freshness

incidents:
  admins: []                       # user ids that may resolve and close any incident
  invite_roles:                    # roles invited to a new incident channel; a severity left
    sev1: [product-ops-lead, governance-partner]   # out keeps this default, [] invites nobody
    sev2: [product-ops-lead]
    sev3: []
    sev4: []
  update_cadence_minutes:          # customer-update nudge when an update is this late;
    sev1: 30                       # null: no cadence; a severity left out keeps this default
    sev2: 60
    sev3: 240
    sev4: null
  archive_on_close: false          # archive the incident channel when the incident closes
  lead_nudge_minutes: 5            # nudge when nobody but the declarer leads after this
  unverified_fix_nudge_hours: 24   # nudge when a fix is still unverified after this

dashboard:                         # null: the dashboard's built-in threshold
  drift_watch: null                # drift score at which a tag is "watch"
  drift_act: null                  # drift score at which a tag is "act" (>= drift_watch)
  drift_min_n: 200                 # scores needed in each window to judge drift
  current_window_days: 7           # the recent window of drift, rates and cost-to-outcome
  baseline_window_days: 28         # the window before it, compared against
  remediation_window_days: 90      # time-to-remediation covers incidents resolved in this
  eval_threshold: null             # eval pass rate (0-1) under which a suite is "act"

# rituals: a list here replaces all four defaults. Each ritual:
#   key                  unique slug, used by /ritual run <key>
#   name                 title of the check-in (default: from the key)
#   schedule             {cron: "min hour day month weekday"} (weekdays 0-7 or sun-sat, Sunday
#                        = 0 or 7; when day and weekday are both set a time must match both, so
#                        "0 16 1-7 * thu" is the first Thursday), or {every_weeks: N,
#                        anchor: YYYY-MM-DD (the first occurrence), at: "HH:MM"}; either form
#                        takes timezone: (default: the top-level timezone). Quote "HH:MM".
#   channel              where the check-in is posted (default: channels.ops)
#   owners               "role:<role>" or Slack user ids; they are reminded until they check in
#   window_minutes       the occurrence closes and is summarized after this
#   remind_after_minutes reminders to owners who have not checked in, each inside the window
#   grace_minutes        an occurrence missed while the bot was down is still posted within
#                        this; later, it is recorded as missed
#   questions            asked at check-in (at least one)
#   decision_outputs     the decisions the occurrence must record
rituals:
"""
    + "\n".join(_ritual_yaml(ritual) for ritual in DEFAULT_RITUALS)
    + "\n"
)
