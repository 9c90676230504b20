"""The Slack app manifest: every command, scope, event and interactivity setting opsbot uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

APP_NAME = "opsbot"
EVENTS_PATH = "/slack/events"

COMMANDS: list[dict[str, str]] = [
    {
        "command": "/incident",
        "description": "Declare and drive an AI incident to a verified fix",
        "usage_hint": "declare [sev1-4] <title> | status | list | help",
    },
    {
        "command": "/ritual",
        "description": "Team rituals: check-ins, owners and decisions",
        "usage_hint": "list | run <key> | skip <key> [reason] | decisions [open|all] | help",
    },
    {
        "command": "/ops",
        "description": "opsbot help, the AI Product Ops dashboard and team roles",
        "usage_hint": "help | dashboard | team | team add|remove|set <role> <@user>...",
    },
]

BOT_EVENTS = ["app_home_opened", "reaction_added"]

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",  # post rituals and announcements without being invited first
    "channels:manage",  # create and archive incident channels
    "channels:read",  # find a channel's id by name
    "channels:join",
    "channels:history",  # check a channel before re-sending a message after a crash
    "channels:write.invites",
    "channels:write.topic",
    "groups:write",
    "groups:read",
    "groups:history",
    "im:write",  # nudges to an incident lead by direct message
    "pins:write",
    "reactions:read",  # 📌 on a message adds it to the incident timeline
    "users:read",
    "files:write",  # postmortems and dashboard charts
]


def build_manifest(*, url: str | None = None, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for HTTP mode (requests to ``url``/slack/events) or for Socket Mode."""
    if not socket_mode and not url:
        raise ValueError("an HTTP-mode manifest needs the public URL of `opsbot serve`")
    events_url = request_url(url) if url and not socket_mode else None
    commands = []
    for spec in COMMANDS:
        entry: dict[str, Any] = {**spec, "should_escape": True}
        if events_url:
            entry["url"] = events_url
        commands.append(entry)
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if events_url:
        event_subscriptions["request_url"] = events_url
        interactivity["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": APP_NAME,
            "description": "Incidents, rituals and the AI Product Ops dashboard, in Slack.",
            "background_color": "#1f2937",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def request_url(url: str) -> str:
    """Where Slack sends requests, from the base URL of `opsbot serve` or its full
    ``…/slack/events`` URL (either is fine; the path is never doubled). No scheme means https.
    """
    text = url.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise ValueError(
            f"{url!r} is not a web address; give the public URL of `opsbot serve`, "
            "e.g. --url https://ops.example.com"
        )
    path = parts.path.rstrip("/")
    if not path.endswith(EVENTS_PATH):
        path += EVENTS_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
