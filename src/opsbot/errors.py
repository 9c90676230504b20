"""One error base class: every refusal speaks to the person in Slack."""

from __future__ import annotations


class OpsError(Exception):
    """A refusal written for the person who asked: what is wrong, and what to type instead."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def for_slack(self) -> str:
        """The refusal as one mrkdwn-free text (the caller escapes nothing: it is our own text)."""
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class NotFound(OpsError):
    """The thing named does not exist."""


class NotAllowed(OpsError):
    """The person may not do this; the message says who may."""


class FieldErrors(OpsError):
    """A modal submission refused field by field (block id -> message), shown in the modal."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class ConfigError(OpsError):
    """The configuration is invalid; the message names the key path and what is wrong."""
