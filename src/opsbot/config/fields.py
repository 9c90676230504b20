"""The configuration's value types (user ids, roles, channels, owners), shared by its sections."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from opsbot.schedules import problem
from opsbot.slack.mrkdwn import is_user_id

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CHANNEL = re.compile(r"^[a-z0-9_-]{1,80}$")


def _user_id(value: str) -> str:
    if not is_user_id(value):
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
    elif not is_user_id(value):
        raise problem(f'"{value}" is neither "role:<role>" nor a Slack user id (like U01ABCDEF)')
    return value


INCIDENT_ADMINS = "incidents.admins"  # in team_managers: the users listed in incidents.admins


def _manager(value: str) -> str:
    if value == INCIDENT_ADMINS:
        return value
    if value.startswith("role:"):
        _slug(value.removeprefix("role:"))
    elif not is_user_id(value):
        raise problem(
            f'"{value}" is neither "role:<role>", "{INCIDENT_ADMINS}" nor a Slack user id '
            "(like U01ABCDEF)"
        )
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


UserId = Annotated[str, AfterValidator(_user_id)]
RoleName = Annotated[str, AfterValidator(_slug)]
Slug = Annotated[str, AfterValidator(_slug)]
ChannelName = Annotated[str, AfterValidator(_channel)]
Owner = Annotated[str, AfterValidator(_owner)]
Text = Annotated[str, AfterValidator(_text)]
Manager = Annotated[str, AfterValidator(_manager)]
