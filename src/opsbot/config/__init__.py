"""The YAML configuration (``OPSBOT_CONFIG``): typed models, the loader, the documented defaults.

Every key is optional; a misspelt key is an error. ``load_config`` lists every problem, one line
each, named by its key path in YAML terms (``rituals[1].schedule.cron: …``).

``models`` holds the sections and their checks (``surfaces`` the surfaces and webhooks,
``fields`` the value types they share), ``references`` the checks across sections,
``loading`` the YAML reader and its problem lines, ``default_yaml`` the documented defaults.
"""

from __future__ import annotations

from opsbot.config.default_yaml import DEFAULT_CONFIG_YAML
from opsbot.config.loading import load_config, parse_config
from opsbot.config.models import (
    DEFAULT_INVITE_ROLES,
    DEFAULT_UPDATE_CADENCE,
    SEVERITIES,
    ChannelName,
    Channels,
    Config,
    DashboardThresholds,
    IncidentSettings,
    Owner,
    Ritual,
    RoleName,
    Severity,
    Text,
    UserId,
)
from opsbot.config.references import BUILTIN_ROLES, reference_problems
from opsbot.config.surfaces import (
    GatePolicy,
    Guards,
    Rollout,
    RolloutStep,
    Surface,
    Webhook,
    webhook_url_problem,
)

__all__ = [
    "BUILTIN_ROLES",
    "DEFAULT_CONFIG_YAML",
    "DEFAULT_INVITE_ROLES",
    "DEFAULT_UPDATE_CADENCE",
    "SEVERITIES",
    "ChannelName",
    "Channels",
    "Config",
    "DashboardThresholds",
    "GatePolicy",
    "Guards",
    "IncidentSettings",
    "Owner",
    "Ritual",
    "RoleName",
    "Rollout",
    "RolloutStep",
    "Severity",
    "Surface",
    "Text",
    "UserId",
    "Webhook",
    "load_config",
    "parse_config",
    "reference_problems",
    "webhook_url_problem",
]
