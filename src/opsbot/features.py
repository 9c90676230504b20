"""Every feature's ``register(app, ctx)``, in the order their listeners should be added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opsbot.context import Context
from opsbot.slack import ops
from opsbot.team import slack as team

Registrar = Callable[[Any, Context], None]

REGISTRARS: list[Registrar] = [ops.register, team.register]
