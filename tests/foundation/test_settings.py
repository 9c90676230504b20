"""Settings: refused with the variable's name, secrets never shown."""

from __future__ import annotations

import logging

import pytest

from opsbot.errors import ConfigError
from opsbot.logs import RedactSecrets
from opsbot.settings import load_settings


def test_defaults_follow_the_contract() -> None:
    """With nothing set, opsbot uses SQLite in opsbot.db and Slack's real API URL."""
    settings = load_settings()
    assert settings.database_url == "sqlite:///opsbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SLACK_BOT_TOKEN", "not-a-token-but-secret-ish"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind-of-token"),
        ("OPSBOT_DATABASE_URL", "mysql://root@localhost/opsbot"),
        ("OPSBOT_SLACK_API_URL", "slack.com/api"),
        ("SLACK_SIGNING_SECRET", "changeme"),
    ],
)
def test_a_wrong_value_is_refused_by_name_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A wrong environment value stops start-up with the variable's name and not its value."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert variable in info.value.message
    assert value not in info.value.message


def test_settings_repr_hides_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Printing the settings never shows a token or the signing secret."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-111-222-abcdefghijkl")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef0123")
    settings = load_settings()
    assert "abcdefghijkl" not in repr(settings) + str(settings)
    assert "0123456789abcdef0123" not in repr(settings) + str(settings)


def test_plain_postgresql_urls_get_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """A postgresql:// URL is taken as postgresql+psycopg://."""
    monkeypatch.setenv("OPSBOT_DATABASE_URL", "postgresql://u@db/opsbot")
    assert load_settings().database_url == "postgresql+psycopg://u@db/opsbot"


def test_missing_mode_variables_are_named() -> None:
    """A mode that needs tokens refuses to start and names each missing variable."""
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"):
        load_settings().require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """Tokens, bearer tokens, URL passwords and the signing secret are masked in every log line."""
    redact = RedactSecrets(["s1gn1ng-secret-value"])
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "token %s header %s url %s secret %s",
        ("xoxb-1-2-abc", "Bearer ops_abcdef", "postgresql://u:pw@h/db", "s1gn1ng-secret-value"),
        None,
    )
    redact.filter(record)
    line = record.getMessage()
    for leaked in ("xoxb-1-2-abc", "ops_abcdef", ":pw@", "s1gn1ng-secret-value"):
        assert leaked not in line
