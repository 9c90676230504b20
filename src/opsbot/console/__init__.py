"""`opsbot console`: the whole bot against the local Slack stand-in, in a terminal."""

from opsbot.console.run import run_console

__all__ = ["run_console"]
