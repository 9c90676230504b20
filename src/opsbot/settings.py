"""Settings from the environment (DESIGN.md's external contract); secrets never printed."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opsbot.errors import ConfigError

_PLACEHOLDERS = {"changeme", "changethis", "xoxb-your-token", "secret", "todo"}


class Settings(BaseSettings):
    """Everything opsbot reads from its environment; built once, in the composition root."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    database_url: str = Field(default="sqlite:///opsbot.db", alias="OPSBOT_DATABASE_URL")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="OPSBOT_SLACK_API_URL")
    config_path: str | None = Field(default=None, alias="OPSBOT_CONFIG")
    # Operational knobs beyond the contract; the defaults suit production.
    outbox_lease_seconds: float = Field(default=30.0, gt=0, alias="OPSBOT_OUTBOX_LEASE_SECONDS")
    delivery_poll_seconds: float = Field(default=0.2, gt=0, alias="OPSBOT_DELIVERY_POLL_SECONDS")
    delivery_threads: int = Field(default=8, ge=1, le=64, alias="OPSBOT_DELIVERY_THREADS")
    leader_check_seconds: float = Field(default=5.0, gt=0, alias="OPSBOT_LEADER_CHECK_SECONDS")
    retry_base_seconds: float = Field(default=1.0, gt=0, alias="OPSBOT_RETRY_BASE_SECONDS")
    log_level: str = Field(default="INFO", alias="OPSBOT_LOG_LEVEL")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            if raw.lower() in _PLACEHOLDERS or not raw.startswith("xoxb-"):
                raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower() in _PLACEHOLDERS:
            raise ValueError("is a placeholder; use the app's signing secret")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql+psycopg://", "postgresql://")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level")
    @classmethod
    def _log_level_known(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    def bot_token(self) -> str | None:
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else None

    def signing_secret(self) -> str | None:
        return self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else None

    def require(self, *names: str) -> None:
        """Refuse to start without the variables a mode needs, naming each one."""
        missing = [n for n in names if getattr(self, _FIELD_OF[n]) is None]
        if missing:
            raise ConfigError(f"Missing environment variable(s): {', '.join(missing)}.")


_FIELD_OF = {
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
}


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a wrong value is refused naming the variable, never its value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic-settings takes aliases
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "environment"
            problems.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("Invalid settings: " + "; ".join(problems)) from None
