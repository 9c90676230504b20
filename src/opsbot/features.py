"""Every feature's ``register(app, ctx)``, in the order their listeners should be added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opsbot.context import Context
from opsbot.dashboard import slack as dashboard
from opsbot.incidents import slack as incidents
from opsbot.rituals import slack as rituals
from opsbot.slack import ops
from opsbot.team import slack as team

Registrar = Callable[[Any, Context], None]

REGISTRARS: list[Registrar] = [
    ops.register,
    team.register,
    incidents.register,
    rituals.register,
    dashboard.register,
]
