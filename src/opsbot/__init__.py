"""opsbot: the operations bot of an AI product team, inside Slack."""

__version__ = "0.1.0"
