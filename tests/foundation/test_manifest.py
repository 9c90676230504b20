"""The app manifest is valid for Slack and lists everything the app listens to."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from opsbot.cli import main
from opsbot.manifest import BOT_EVENTS, COMMANDS, build_manifest

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "slack-manifest-schema"
MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"


def _schema() -> dict:
    path = SCHEMA_DIR / "manifest.schema.1.0.0.json"
    if not path.exists():
        pytest.skip(
            "Slack's manifest schema (../shared/slack-manifest-schema) is not beside the repo"
        )
    return json.loads(path.read_text())


@pytest.mark.parametrize("kwargs", [{"url": "https://ops.example.com"}, {"socket_mode": True}])
def test_manifest_validates_against_slacks_schema(kwargs: dict) -> None:
    """Both the HTTP and the Socket Mode manifests validate against Slack's published schema."""
    jsonschema.validate(build_manifest(**kwargs), _schema())


def test_http_manifest_points_every_url_at_slack_events() -> None:
    """In HTTP mode commands, events and interactivity all go to /slack/events."""
    manifest = build_manifest(url="https://ops.example.com/")
    url = "https://ops.example.com/slack/events"
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url


def test_socket_mode_manifest_has_no_urls() -> None:
    """A Socket Mode manifest enables socket mode and names no request URL."""
    manifest = build_manifest(socket_mode=True)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in json.dumps(manifest["features"]["slash_commands"])
    assert "request_url" not in manifest["settings"]["event_subscriptions"]


def test_committed_manifests_are_the_rendered_defaults() -> None:
    """manifests/ holds exactly what `opsbot manifest` prints today."""
    http = json.loads((MANIFESTS / "http.json").read_text())
    socket = json.loads((MANIFESTS / "socket-mode.json").read_text())
    assert http == build_manifest(url="https://ops.example.com")
    assert socket == build_manifest(socket_mode=True)


def test_cli_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    """`opsbot manifest --socket-mode` prints the manifest as JSON."""
    assert main(["manifest", "--socket-mode"]) == 0
    assert json.loads(capsys.readouterr().out) == build_manifest(socket_mode=True)


def test_cli_manifest_without_a_mode_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    """`opsbot manifest` alone explains that it needs --url or --socket-mode."""
    assert main(["manifest"]) == 2
    assert "--url" in capsys.readouterr().err


def _registered(app: object) -> tuple[set[str], set[str]]:
    commands: set[str] = set()
    events: set[str] = set()
    for listener in app._listeners:  # type: ignore[attr-defined]
        for matcher in listener.matchers:
            kind = matcher.func.__qualname__.split(".")[0]
            cells = [c.cell_contents for c in (matcher.func.__closure__ or [])]
            values = {v for v in cells if isinstance(v, str)}
            if kind == "command":
                commands |= values
            elif kind == "event":
                events |= values
    return commands, events


def test_every_registered_command_and_event_is_in_the_manifest(database_url: str) -> None:
    """The test fails when the app registers a command or event that the manifest lacks."""
    from opsbot.app import Opsbot
    from opsbot.settings import load_settings

    bot = Opsbot(
        load_settings(
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="abcdefgh",
            OPSBOT_DATABASE_URL=database_url,
        )
    )
    commands, events = _registered(bot.bolt)
    assert commands, "no command listener found: the introspection is broken"
    assert commands <= {c["command"] for c in COMMANDS}
    assert events <= set(BOT_EVENTS)
    bot.engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://ops.example.com", "https://ops.example.com/slack/events"),
        ("https://ops.example.com/", "https://ops.example.com/slack/events"),
        ("https://ops.example.com/slack/events", "https://ops.example.com/slack/events"),
        ("https://ops.example.com/slack/events/", "https://ops.example.com/slack/events"),
        ("https://example.com/opsbot", "https://example.com/opsbot/slack/events"),
        ("https://example.com/opsbot/slack/events", "https://example.com/opsbot/slack/events"),
        ("ops.example.com", "https://ops.example.com/slack/events"),
        (" https://ops.example.com:8443 ", "https://ops.example.com:8443/slack/events"),
    ],
)
def test_cli_manifest_url_is_the_base_or_the_full_events_url(
    capsys: pytest.CaptureFixture[str], given: str, expected: str
) -> None:
    """`opsbot manifest --url` takes the base URL or the full …/slack/events URL, never doubled."""
    assert main(["manifest", "--url", given]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {expected}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == expected
    assert manifest["settings"]["interactivity"]["request_url"] == expected


@pytest.mark.parametrize("given", ["ftp://ops.example.com", "https://", "not a url"])
def test_cli_manifest_refuses_what_is_not_a_web_address(
    capsys: pytest.CaptureFixture[str], given: str
) -> None:
    """A URL that is not http(s) with a host is refused with what to type, and no manifest."""
    assert main(["manifest", "--url", given]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--url https://ops.example.com" in err
